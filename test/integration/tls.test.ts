// TLS termination on real listeners, driven by Debian's curl with openssl-made certificates:
// SNI picks between two certificates, version floor, client certificates, x-forwarded-proto,
// require_tls, admin /certs, an expired certificate refused at load; Bun in-process, Deno as a child.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeTestCerts, type TestCerts } from '../support/certs.ts'
import { curl } from '../support/curl.ts'
import { spawnEdgeway, startProxy, type TestProxy } from '../support/edgeway.ts'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let certs: TestCerts
let upstream: Upstream
const group = new ProcessGroup()

beforeAll(async () => {
  certs = makeTestCerts()
  upstream = await startUpstream({ name: 'service1' })
}, 30_000)

afterAll(async () => {
  await group.stopAll()
  await upstream.stop()
  certs.remove()
})

function tlsYaml(tls: string, extra: { vhosts?: string; listener?: string } = {}): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_https
    address: 127.0.0.1
    port: 0
    tls:
${tls.trim().split('\n').map((line) => `      ${line}`).join('\n')}
${extra.listener ?? ''}
    virtual_hosts:
${extra.vhosts ?? `      - name: backend
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: service1 } }]`}
clusters:
  - name: service1
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`
}

const twoNames = () => `
tls_certificates:
  - certificate_chain: { filename: ${certs.crt('a.test')} }
    private_key: { filename: ${certs.key('a.test')} }
    server_names: [a.test]
  - certificate_chain: { inline_string: ${JSON.stringify(certs.pem(certs.crt('b.test')))} }
    private_key: { inline_string: ${JSON.stringify(certs.pem(certs.key('b.test')))} }
    server_names: [b.test]
`

const at = (name: string, port: number) => ['--cacert', certs.crt('ca'), '--resolve', `${name}:${port}:127.0.0.1`, `https://${name}:${port}/service/1`]

describe('TLS on Bun (in-process)', () => {
  let proxy: TestProxy
  let port: number
  beforeAll(async () => {
    proxy = await startProxy(tlsYaml(twoNames()))
    port = proxy.ports.get('ingress_https')!
  })
  afterAll(() => proxy.stop())

  // curl checks each answer's certificate against the CA and the name: only the right one passes.
  test('SNI picks the certificate each name is verified against, over HTTP/2 and HTTP/1.1', async () => {
    for (const name of ['a.test', 'b.test']) {
      const h2 = await curl(at(name, port))
      expect(h2.stderr).not.toContain('curl:')
      expect([h2.status, h2.httpVersion]).toEqual([200, '2'])
      const received = JSON.parse(h2.body)
      expect(received.headers['x-forwarded-proto']).toBe('https')
      expect(received.headers.host).toBe(`${name}:${port}`)
      const h1 = await curl(['--http1.1', ...at(name, port)])
      expect([h1.status, h1.httpVersion]).toEqual([200, '1.1'])
    }
  })

  test('a plain-text request to the TLS port gets no answer; an unknown name gets the first certificate', async () => {
    const plain = await curl([`http://127.0.0.1:${port}/service/1`])
    expect(plain.status).not.toBe(200)
    const unknown = await curl(['-k', '-v', '--resolve', `other.test:${port}:127.0.0.1`, `https://other.test:${port}/service/1`])
    expect(unknown.status).toBe(200)
    expect(unknown.stderr).toContain('subject: CN=a.test')
  })

  test('admin /certs lists subject, SANs and days left; /config_dump hides private keys', async () => {
    const certsJson = (await (await fetch(`${proxy.adminUrl()}/certs`)).json()) as { certificates: { listener: string; cert_chain: Record<string, unknown>[] }[] }
    expect(certsJson.certificates).toHaveLength(2)
    const [a, b] = certsJson.certificates.map((c) => c.cert_chain[0]!)
    expect(a!.subject).toBe('CN=a.test')
    expect(a!.path).toBe(certs.crt('a.test'))
    expect(a!.subject_alt_names).toEqual([{ dns: 'a.test' }, { dns: 'localhost' }, { ip_address: '127.0.0.1' }])
    expect(Number(a!.days_until_expiration)).toBeGreaterThanOrEqual(29)
    expect(b!.path).toBe('<inline>')
    const dump = await (await fetch(`${proxy.adminUrl()}/config_dump`)).text()
    // Envoy's shape, where a key would be; any private key left in it is shown as "[redacted]".
    expect(dump).toContain('ingress_https')
    expect(dump).not.toContain('PRIVATE KEY')
  })
})

describe('TLS options on Bun', () => {
  test('tls_minimum_protocol_version TLSv1_3 refuses a TLS 1.2 client', async () => {
    const proxy = await startProxy(tlsYaml(`${twoNames()}\ntls_params: { tls_minimum_protocol_version: TLSv1_3 }`))
    try {
      const port = proxy.ports.get('ingress_https')!
      expect((await curl(['--tls-max', '1.2', ...at('a.test', port)])).status).toBe(0)
      expect((await curl(['--tlsv1.3', ...at('a.test', port)])).status).toBe(200)
    } finally {
      await proxy.stop()
    }
  })

  test('require_client_certificate: no certificate or one the CA did not sign is refused', async () => {
    const tls = `${twoNames()}\nrequire_client_certificate: true\nvalidation_context: { trusted_ca: { filename: ${certs.crt('ca')} } }`
    const proxy = await startProxy(tlsYaml(tls))
    try {
      const port = proxy.ports.get('ingress_https')!
      expect((await curl(at('a.test', port))).status).toBe(0)
      expect((await curl(['--cert', certs.crt('expired'), '--key', certs.key('expired'), ...at('a.test', port)])).status).toBe(0)
      expect((await curl(['--cert', certs.crt('client'), '--key', certs.key('client'), ...at('a.test', port)])).status).toBe(200)
    } finally {
      await proxy.stop()
    }
  })

  test('require_tls on a plain listener answers 301 to https with the same authority and path', async () => {
    const proxy = await startProxy(`
listeners:
  - name: plain
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: secure
        domains: ["secure.test", "secure.test:*"]
        require_tls: ALL
        routes: [{ match: { prefix: / }, route: { cluster: service1 } }]
      - name: open
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: service1 } }]
clusters:
  - name: service1
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`)
    try {
      const redirected = await curl(['-H', 'host: secure.test', `${proxy.url()}/service/1?x=1`])
      expect(redirected.status).toBe(301)
      expect(redirected.headers.location).toBe('https://secure.test/service/1?x=1')
      // Even without a matching route, as Envoy: the virtual host alone decides.
      expect((await curl(['-H', 'host: secure.test', `${proxy.url()}/nothing-routes-here`])).status).toBe(301)
      expect((await curl([`${proxy.url()}/service/1`])).status).toBe(200)
    } finally {
      await proxy.stop()
    }
  })
})

describe('certificates checked at load (CLI)', () => {
  test('an expired certificate stops the load with one line naming it, its file and the date', async () => {
    const path = `${certs.dir}/expired.yaml`
    await Bun.write(path, tlsYaml(`tls_certificates:\n  - certificate_chain: { filename: expired.crt }\n    private_key: { filename: expired.key }`))
    const run = spawnEdgeway(['--mode', 'validate', '-c', path])
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toContain(`listeners[0].tls.tls_certificates[0].certificate_chain: certificate "CN=expired.test" (${certs.crt('expired')}) expired on 2020-01-02T00:00:00.000Z`)
    expect(run.stderr()).not.toContain('    at ')
  })

  test('a key that does not match, a missing file and a min version below 1.2 are each reported', async () => {
    const path = `${certs.dir}/bad.yaml`
    const tls = `tls_certificates:\n  - certificate_chain: { filename: a.test.crt }\n    private_key: { filename: b.test.key }\n  - certificate_chain: { filename: missing.crt }\n    private_key: { filename: b.test.key }\ntls_params: { tls_minimum_protocol_version: TLSv1_1 }`
    await Bun.write(path, tlsYaml(tls))
    const run = spawnEdgeway(['--mode', 'validate', '-c', path])
    expect(await run.exited).toBe(1)
    const err = run.stderr()
    expect(err).toContain('3 problems found')
    expect(err).toContain('listeners[0].tls.tls_certificates[0].private_key: does not match certificate "CN=a.test"')
    expect(err).toContain(`listeners[0].tls.tls_certificates[1].certificate_chain.filename: cannot read "${certs.dir}/missing.crt": no such file`)
    expect(err).toContain('listeners[0].tls.tls_params.tls_minimum_protocol_version: TLSv1_1 is not offered')
  })
})

describe('TLS on Deno (child process)', () => {
  test('one certificate: HTTP/2 and HTTP/1.1 over TLS, x-forwarded-proto https, Host from :authority', async () => {
    const vhosts = `      - name: named
        domains: ["a.test:*"]
        routes: [{ match: { prefix: / }, route: { cluster: service1 } }]`
    const tls = `tls_certificates:\n  - certificate_chain: { filename: ${certs.crt('a.test')} }\n    private_key: { filename: ${certs.key('a.test')} }`
    const deno = await group.proxy('deno-tls', tlsYaml(tls, { vhosts }), {}, { runtime: 'deno' })
    const port = deno.port('ingress_https')
    expect(deno.process.stdout()).toContain(`ingress_https on 127.0.0.1:${port} (tls)`)
    for (const version of [['--http2'], ['--http1.1']]) {
      const answer = await curl([...version, ...at('a.test', port)])
      expect(answer.status).toBe(200)
      expect(answer.httpVersion).toBe(version[0] === '--http2' ? '2' : '1.1')
      const received = JSON.parse(answer.body)
      expect(received.headers['x-forwarded-proto']).toBe('https')
      expect(received.headers.host).toBe(`a.test:${port}`)
    }
  }, 30_000)

  test('SNI with several certificates and client certificates are refused at load, one line each', async () => {
    const path = `${certs.dir}/deno-sni.yaml`
    await Bun.write(path, tlsYaml(`${twoNames()}\nrequire_client_certificate: true\nvalidation_context: { trusted_ca: { filename: ${certs.crt('ca')} } }`, { listener: '    http3: true' }))
    const run = group.spawn(['--mode', 'validate', '-c', path], {}, 'deno')
    expect(await run.exited).toBe(1)
    const err = run.stderr()
    expect(err).toContain('listeners[0].http3: HTTP/3 is not available on Deno')
    expect(err).toContain('listeners[0].tls.tls_certificates: several certificates chosen by SNI are not available on Deno')
    expect(err).toContain('listeners[0].tls.require_client_certificate: client certificates cannot be required on Deno')
  }, 30_000)
})
