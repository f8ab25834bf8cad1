// A cluster's UpstreamTls as the option bag Bun's fetch, node:tls and node:http2 share (ca,
// servername, rejectUnauthorized, cert, key, checkServerIdentity), and the failure reason a
// handshake error gives Envoy-style replies (`TLS_error:<code>: <message>`).

import type { SubjectAltNameMatcher, UpstreamTls } from '../runtime.ts'

export type TlsClientOptions = {
  ca?: string
  servername?: string
  rejectUnauthorized: boolean
  cert?: string
  key?: string
  checkServerIdentity: (hostname: string, certificate: { subjectaltname?: string }) => Error | undefined
}

export function tlsClientOptions(tls: UpstreamTls): TlsClientOptions {
  return {
    ...(tls.caPem !== undefined && { ca: tls.caPem }),
    ...(tls.serverName !== undefined && { servername: tls.serverName }),
    // Envoy without a validation_context does not verify; with one it checks the chain, and names only when told to.
    rejectUnauthorized: tls.caPem !== undefined,
    ...(tls.certificateChainPem !== undefined && { cert: tls.certificateChainPem, key: tls.privateKeyPem }),
    checkServerIdentity: (_hostname, certificate) => checkSubjectAltNames(certificate.subjectaltname ?? '', tls.subjectAltNames),
  }
}

/** Node's `subjectaltname` text ("DNS:a.test, IP Address:127.0.0.1") against Envoy's matchers; none = accept. */
export function checkSubjectAltNames(subjectAltName: string, matchers: readonly SubjectAltNameMatcher[]): Error | undefined {
  if (matchers.length === 0) return undefined
  const names = subjectAltName
    .split(', ')
    .map((entry) => entry.slice(entry.indexOf(':') + 1))
    .filter(Boolean)
  const matches = (name: string, m: SubjectAltNameMatcher) =>
    m.kind === 'exact' ? name === m.value : m.kind === 'prefix' ? name.startsWith(m.value) : m.kind === 'suffix' ? name.endsWith(m.value) : name.includes(m.value)
  if (names.some((name) => matchers.some((m) => matches(name, m)))) return undefined
  const error = new Error(`no subject alt name of the upstream certificate (${names.join(', ') || 'none'}) matches match_subject_alt_names`) as Error & { code: string }
  error.code = 'ERR_TLS_CERT_ALTNAME_INVALID'
  return error
}

/** Certificate and handshake errors from node:tls, node:http2 and Bun's fetch, by their codes. */
const TLS_CODE = /CERT|TLS|SSL|UNABLE_TO_|HANDSHAKE|ALTNAME|UNKNOWN_CA|ISSUER/i

/** `TLS_error:<code>: <message>` for a TLS failure, undefined for anything else (refused, reset). */
export function tlsFailureReason(error: unknown): string | undefined {
  const code = String((error as { code?: unknown })?.code ?? '')
  if (!TLS_CODE.test(code)) return undefined
  const message = String((error as { message?: unknown })?.message ?? '').split(' fetching "')[0]
  return `TLS_error:${code}${message && message !== code ? `: ${message}` : ''}`
}
