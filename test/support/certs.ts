// Test certificates made by the real openssl CLI in a temp folder: a CA, server certificates it
// signs for two SNI names, a client certificate, and one that expired in 2020.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type TestCerts = {
  readonly dir: string
  /** Absolute paths: `<name>.crt` / `<name>.key` for ca, a.test, b.test, client, expired. */
  crt(name: string): string
  key(name: string): string
  pem(path: string): string
  remove(): void
}

// P-256 keys: RSA key generation takes seconds on a busy machine.
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const code = (error as { code?: string }).code
    throw new Error(code === 'ENOENT' ? 'openssl is not installed: the TLS tests need the openssl CLI (apt-get install openssl)' : `openssl ${args.join(' ')} failed: ${(error as { stderr?: Buffer }).stderr}`)
  }
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'edgeway-certs-'))
  openssl(dir, ['req', '-x509', ...EC, '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=edgeway test CA'])
  const signed = (name: string, subject: string, san?: string) => {
    openssl(dir, ['req', ...EC, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject])
    if (san) writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', ...(san ? ['-extfile', `${name}.ext`] : [])])
  }
  signed('a.test', '/CN=a.test', 'DNS:a.test,DNS:localhost,IP:127.0.0.1')
  signed('b.test', '/CN=b.test', 'DNS:b.test')
  signed('client', '/CN=edgeway test client')
  // An expired certificate needs explicit dates, which only `openssl ca` takes on OpenSSL 3.0.
  writeFileSync(join(dir, 'index.txt'), '')
  writeFileSync(join(dir, 'serial'), '01\n')
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n')
  openssl(dir, ['req', ...EC, '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=expired.test'])
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'expired.key', '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z'])
  return {
    dir,
    crt: (name) => join(dir, `${name}.crt`),
    key: (name) => join(dir, `${name}.key`),
    pem: (path) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
