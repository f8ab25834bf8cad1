// Admin /certs (Envoy's shape: per TLS context its CA and chain, with SANs and days left) and the
// redaction that keeps private keys out of /config_dump, as Envoy prints "[redacted]".

import type { CertificateDetails, ClusterConfig, ListenerConfig } from '../config/model.ts'

const DAY_MS = 86_400_000

type CertJson = {
  path: string
  subject: string
  serial_number: string
  subject_alt_names: Record<string, string>[]
  days_until_expiration: string
  valid_from: string
  expiration_time: string
}

type Context = { listener?: string; cluster?: string; ca_cert: CertJson[]; cert_chain: CertJson[] }

/** One context per listener certificate, then one per cluster with upstream TLS (its CA and client certificate). */
export function certsJson(listeners: readonly ListenerConfig[], nowMs: number, clusters: readonly ClusterConfig[] = []): { certificates: Context[] } {
  const certificates: Context[] = []
  for (const listener of listeners) {
    const tls = listener.tls
    if (!tls) continue
    const ca = tls.trustedCa ? [certJson(tls.trustedCa.source, tls.trustedCa.details, nowMs)] : []
    for (const certificate of tls.certificates) certificates.push({ listener: listener.name, ca_cert: ca, cert_chain: [certJson(certificate.source, certificate.details, nowMs)] })
  }
  for (const cluster of clusters) {
    const tls = cluster.upstreamTls
    if (!tls) continue
    certificates.push({
      cluster: cluster.name,
      ca_cert: tls.trustedCa ? [certJson(tls.trustedCa.source, tls.trustedCa.details, nowMs)] : [],
      cert_chain: tls.clientCertificate ? [certJson(tls.clientCertificate.source, tls.clientCertificate.details, nowMs)] : [],
    })
  }
  return { certificates }
}

function certJson(path: string, details: CertificateDetails, nowMs: number): CertJson {
  return {
    path,
    subject: details.subject,
    serial_number: details.serialNumber,
    // "DNS:a.example, IP Address:127.0.0.1" → [{ dns: ... }, { ip_address: ... }], as Envoy's SubjectAlternateName.
    subject_alt_names: details.subjectAltNames.map((san) => {
      const colon = san.indexOf(':')
      const kind = san.slice(0, colon).toLowerCase()
      return { [kind === 'ip address' ? 'ip_address' : kind]: san.slice(colon + 1) }
    }),
    days_until_expiration: String(Math.max(0, Math.floor((details.expiresAtMs - nowMs) / DAY_MS))),
    valid_from: new Date(details.validFromMs).toISOString(),
    expiration_time: new Date(details.expiresAtMs).toISOString(),
  }
}

/** A copy of `value` with every `privateKeyPem` (model) and `private_key` (Envoy's shape) replaced by "[redacted]". */
export function redactPrivateKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPrivateKeys)
  if (!value || typeof value !== 'object') return value
  const copy: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) copy[key] = key === 'privateKeyPem' || key === 'private_key' ? '[redacted]' : redactPrivateKeys(child)
  return copy
}
