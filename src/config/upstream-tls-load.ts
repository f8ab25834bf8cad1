// Reads a cluster's `tls:` block (Envoy's UpstreamTlsContext) at config load: the CA and client
// certificate files or inline PEM, checked as tls-load.ts checks a listener's, into the
// UpstreamTls the upstream clients take. An upstream reached without verification is named in a
// warning unless the file says so on purpose (insecure_skip_verify).

import { createPrivateKey } from 'node:crypto'
import type { ConfigIssue } from './config-error.ts'
import type { UpstreamTlsSources } from './model.ts'
import type { UpstreamTls } from '../runtime.ts'
import { detailsOf, parseCertificate, sourceReader, type TlsFiles } from './tls-load.ts'
import type { FileUpstreamTls } from './tls-schema.ts'

export type LoadedUpstreamTls = { tls?: UpstreamTls; sources?: UpstreamTlsSources; issues: ConfigIssue[]; warnings: ConfigIssue[] }

/** `path` is the cluster's `tls` (e.g. `clusters[2].tls`); `http2` says which ALPN the cluster needs. */
export function loadUpstreamTls(file: FileUpstreamTls, path: string, http2: boolean, io: TlsFiles): LoadedUpstreamTls {
  const issues: ConfigIssue[] = []
  const warnings: ConfigIssue[] = []
  const push = (where: string, message: string) => issues.push({ path: where ? `${path}.${where}` : path, message })
  const read = sourceReader(io, push)

  let caPem: string | undefined
  let trustedCa: UpstreamTlsSources['trustedCa']
  const validation = file.validation_context
  if (validation) {
    const ca = read(validation.trusted_ca, 'validation_context.trusted_ca')
    const parsed = ca && parseCertificate(ca.text, 'validation_context.trusted_ca', push)
    if (ca && parsed) {
      caPem = ca.text
      trustedCa = { source: ca.origin, details: detailsOf(parsed) }
    }
    if (file.insecure_skip_verify) push('insecure_skip_verify', 'contradicts validation_context: remove one of them')
  } else if (!file.insecure_skip_verify) {
    warnings.push({ path, message: 'has no validation_context: the upstream certificate is not verified (as in Envoy); add validation_context.trusted_ca, or insecure_skip_verify: true to say it is meant' })
  }

  let clientCertificate: UpstreamTlsSources['clientCertificate']
  let certificateChainPem: string | undefined
  let privateKeyPem: string | undefined
  const entry = file.tls_certificates[0]
  if (entry) {
    const where = 'tls_certificates[0]'
    const chain = read(entry.certificate_chain, `${where}.certificate_chain`)
    const key = read(entry.private_key, `${where}.private_key`)
    const certificate = chain && parseCertificate(chain.text, `${where}.certificate_chain`, push)
    if (chain && key && certificate) {
      const details = detailsOf(certificate)
      const name = details.subject || 'certificate'
      if (details.expiresAtMs <= io.nowMs) push(`${where}.certificate_chain`, `client certificate "${name}" (${chain.origin}) expired on ${new Date(details.expiresAtMs).toISOString()}`)
      try {
        if (!certificate.checkPrivateKey(createPrivateKey(key.text))) push(`${where}.private_key`, `does not match certificate "${name}" (${chain.origin})`)
      } catch {
        push(`${where}.private_key`, `${key.origin === '<inline>' ? 'inline_string' : `"${key.origin}"`} is not a PEM private key`)
      }
      certificateChainPem = chain.text
      privateKeyPem = key.text
      clientCertificate = { source: chain.origin, details }
    }
  }

  // Envoy lets the cluster's protocol options choose ALPN; a list that leaves that protocol out would never negotiate it.
  const needed = http2 ? 'h2' : 'http/1.1'
  const alpnProtocols = file.alpn_protocols ?? [needed]
  if (!alpnProtocols.includes(needed))
    push('alpn_protocols', `must include "${needed}": the cluster speaks ${http2 ? 'HTTP/2 (http2_protocol_options)' : 'HTTP/1.1 (no http2_protocol_options)'}`)

  if (issues.length) return { issues, warnings }
  return {
    issues,
    warnings,
    tls: {
      ...(file.sni !== undefined && { serverName: file.sni }),
      ...(caPem !== undefined && { caPem }),
      subjectAltNames: (validation?.match_subject_alt_names ?? []).map((m) => {
        const kind = m.exact !== undefined ? 'exact' : m.prefix !== undefined ? 'prefix' : m.suffix !== undefined ? 'suffix' : 'contains'
        return { kind, value: (m.exact ?? m.prefix ?? m.suffix ?? m.contains)! } as const
      }),
      ...(certificateChainPem !== undefined && { certificateChainPem, privateKeyPem }),
    },
    sources: { trustedCa, clientCertificate, alpnProtocols },
  }
}
