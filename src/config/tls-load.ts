// Reads a listener's certificates, keys and CA (files or inline PEM) at config load and checks
// them the way a handshake would fail later: unreadable, not PEM, key not matching, expired.

import { createPrivateKey, X509Certificate } from 'node:crypto'
import { isAbsolute, join } from 'node:path'
import type { ConfigIssue } from './config-error.ts'
import type { CertificateDetails, DownstreamTlsConfig, TlsCertificateConfig, TlsVersion } from './model.ts'
import type { FileDownstreamTls } from './tls-schema.ts'

export type TlsFiles = {
  /** Synchronous file read (config load is synchronous). */
  readonly readFile: (path: string) => string
  /** Folder relative filenames resolve against: the config file's. */
  readonly baseDir: string
  readonly nowMs: number
}

type Source = { filename?: string | undefined; inline_string?: string | undefined }

const DAY_MS = 86_400_000

/** The model's TLS block, or the issues that stop it (paths below `path`, e.g. `listeners[1].tls`). */
export function loadDownstreamTls(file: FileDownstreamTls, path: string, io: TlsFiles): { tls?: DownstreamTlsConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const push = (where: string, message: string) => issues.push({ path: `${path}.${where}`, message })
  const read = sourceReader(io, push)

  const certificates: TlsCertificateConfig[] = []
  file.tls_certificates.forEach((entry, i) => {
    const where = `tls_certificates[${i}]`
    const chain = read(entry.certificate_chain, `${where}.certificate_chain`)
    const key = read(entry.private_key, `${where}.private_key`)
    if (!chain || !key) return
    const certificate = parseCertificate(chain.text, `${where}.certificate_chain`, push)
    if (!certificate) return
    const details = detailsOf(certificate)
    const name = details.subject || details.subjectAltNames[0] || 'certificate'
    if (details.expiresAtMs <= io.nowMs)
      push(`${where}.certificate_chain`, `certificate "${name}" (${chain.origin}) expired on ${new Date(details.expiresAtMs).toISOString()}, ${Math.ceil((io.nowMs - details.expiresAtMs) / DAY_MS)} days ago`)
    else if (details.validFromMs > io.nowMs)
      push(`${where}.certificate_chain`, `certificate "${name}" (${chain.origin}) is not valid before ${new Date(details.validFromMs).toISOString()}`)
    try {
      if (!certificate.checkPrivateKey(createPrivateKey(key.text))) push(`${where}.private_key`, `does not match certificate "${name}" (${chain.origin})`)
    } catch {
      push(`${where}.private_key`, `${key.origin === '<inline>' ? 'inline_string' : `"${key.origin}"`} is not a PEM private key`)
    }
    certificates.push({ certificateChainPem: chain.text, privateKeyPem: key.text, serverNames: entry.server_names.map((n) => n.toLowerCase()), source: chain.origin, details })
  })

  const minVersion = version(file.tls_params.tls_minimum_protocol_version, 'TLSv1_2', 'tls_params.tls_minimum_protocol_version', push)
  const maxVersion = version(file.tls_params.tls_maximum_protocol_version, 'TLSv1_3', 'tls_params.tls_maximum_protocol_version', push)
  if (minVersion === 'TLSv1_3' && maxVersion === 'TLSv1_2') push('tls_params', 'tls_minimum_protocol_version is above tls_maximum_protocol_version')

  let trustedCaPem: string | undefined
  let trustedCa: DownstreamTlsConfig['trustedCa']
  if (file.validation_context) {
    const ca = read(file.validation_context.trusted_ca, 'validation_context.trusted_ca')
    const parsed = ca && parseCertificate(ca.text, 'validation_context.trusted_ca', push)
    if (ca && parsed) {
      trustedCaPem = ca.text
      trustedCa = { source: ca.origin, details: detailsOf(parsed) }
    }
  }
  if (file.require_client_certificate && !file.validation_context)
    push('require_client_certificate', 'needs validation_context.trusted_ca to verify client certificates against')
  if (issues.length) return { issues }
  return {
    issues,
    tls: {
      certificates,
      alpnProtocols: file.alpn_protocols,
      minVersion,
      maxVersion,
      requireClientCertificate: file.require_client_certificate,
      trustedCaPem,
      trustedCa,
    },
  }
}

/** Reads a DataSource (file relative to the config, or inline), reporting what stops it at `<where>.filename`. */
export function sourceReader(io: TlsFiles, push: (where: string, message: string) => void) {
  return (source: Source, where: string): { text: string; origin: string } | undefined => {
    if (source.inline_string !== undefined) return { text: source.inline_string, origin: '<inline>' }
    const name = source.filename!
    const resolved = isAbsolute(name) ? name : join(io.baseDir, name)
    try {
      return { text: io.readFile(resolved), origin: resolved }
    } catch (error) {
      const code = (error as { code?: string }).code
      push(`${where}.filename`, `cannot read "${resolved}": ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`)
      return undefined
    }
  }
}

export function parseCertificate(pem: string, where: string, push: (where: string, message: string) => void): X509Certificate | undefined {
  try {
    return new X509Certificate(pem)
  } catch {
    push(where, 'is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")')
    return undefined
  }
}

export function detailsOf(certificate: X509Certificate): CertificateDetails {
  return {
    subject: certificate.subject.replaceAll('\n', ', '),
    serialNumber: certificate.serialNumber.toLowerCase(),
    subjectAltNames: (certificate.subjectAltName ?? '').split(', ').filter(Boolean),
    validFromMs: Date.parse(certificate.validFrom),
    expiresAtMs: Date.parse(certificate.validTo),
  }
}

/** Both runtimes' TLS stacks refuse below 1.2 whatever they are told, so asking for less is an error. */
function version(value: string, auto: TlsVersion, where: string, push: (where: string, message: string) => void): TlsVersion {
  if (value === 'TLS_AUTO') return auto
  if (value === 'TLSv1_2' || value === 'TLSv1_3') return value
  push(where, `${value} is not offered: Bun and Deno never accept TLS below 1.2 (use TLSv1_2 or TLSv1_3)`)
  return auto
}
