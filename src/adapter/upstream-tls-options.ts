// A cluster's UpstreamTls as the option bag Bun's fetch, node:tls and node:http2 share (ca,
// servername, rejectUnauthorized, cert, key, checkServerIdentity), and what a handshake error
// gives: the failure reason of Envoy-style replies (`TLS_error:<code>: <message>`) and its ssl.* counter.

import type { SubjectAltNameMatcher, UpstreamTls } from '../runtime.ts'
import type { TlsFailure } from '../stats/ssl-stats.ts'

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

/**
 * OpenSSL's X509_V_ERR names without the prefix, as node:tls codes a failed chain check (the same on
 * Bun and Deno): Envoy's cert validator counts these in fail_verify_error.
 */
const CHAIN_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
])

/**
 * The ssl.* counter a failed handshake counts in, as Envoy's: a chain that does not verify is
 * fail_verify_error, no subject alt name matching is fail_verify_san, and neither is also a
 * connection_error (Envoy's drainErrorQueue leaves verification failures out of it); any other TLS
 * failure (a protocol error, the upstream's alert) is connection_error. Socket errors (refused, a
 * reset before the handshake ended) count in none, as Envoy leaves syscall errors to upstream_cx_*.
 * fail_verify_no_cert is a server's counter (a client certificate it required): a client never counts it.
 */
export function tlsFailureStat(error: unknown): TlsFailure | undefined {
  const code = String((error as { code?: unknown })?.code ?? '')
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'fail_verify_san'
  if (CHAIN_CODES.has(code)) return 'fail_verify_error'
  return tlsFailureReason(error) === undefined ? undefined : 'connection_error'
}
