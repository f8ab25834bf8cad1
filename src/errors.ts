// Failures the proxy answers for, as typed values: the status and body Envoy would send and the
// response flags for the access log. failureReply() is the one mapping from an attempt's failure to
// its local reply; whether a failure is retried is the route's retry_on (retry-policy.ts), not the error's.

import type { UpstreamFailure } from './runtime.ts'

export type ResponseFlag = 'NR' | 'UH' | 'UF' | 'UT' | 'UR' | 'UC' | 'UO' | 'URX' | 'DPE' | 'UPE' | 'RL' | 'DC' | 'SI' | 'DI' | 'FI' | ''

/** The order Envoy prints response flags in, whatever order they were set in. */
const FLAG_ORDER = ['UH', 'UT', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'RL', 'DC', 'URX', 'SI', 'DPE', 'UPE']

/** Flags already set on the request (a fault's DI) joined with a local reply's, in Envoy's order. */
export function joinFlags(before: string, added: string): string {
  if (!before) return added
  if (!added) return before
  const flags = new Set([...before.split(','), ...added.split(',')])
  return [...flags].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)).join(',')
}

export class ProxyError extends Error {
  constructor(
    readonly status: number,
    /** Stable snake_case code: the access log's response-code details. */
    readonly code: string,
    /** The access log's response flags: one flag, or Envoy's comma list (`UF,URX`). */
    readonly flag: ResponseFlag | `${ResponseFlag},${ResponseFlag}`,
    /** Text sent downstream; empty for replies Envoy sends without a body (404 NR). */
    readonly body: string,
    options?: ErrorOptions,
  ) {
    super(body || code, options)
    this.name = 'ProxyError'
  }
}

/** Envoy's require_tls answer: a 301 to the https URL, sent as a local reply without a body. */
export class TlsRedirect extends ProxyError {
  constructor(readonly location: string) {
    super(301, 'tls_redirect', '', '')
    this.name = 'TlsRedirect'
  }
}

const RESET_PREFIX = 'upstream connect error or disconnect/reset before headers. reset reason: '

export const noRoute = () => new ProxyError(404, 'route_not_found', 'NR', '')
export const noHealthyUpstream = () => new ProxyError(503, 'no_healthy_upstream', 'UH', 'no healthy upstream')
/**
 * `retriesExhausted`: several attempts ran and the last failed to connect (Envoy adds URX). A TLS
 * handshake that failed names its reason as Envoy does: in the details and after the body's reason.
 */
export const connectFailure = (cause?: unknown, retriesExhausted = false) => {
  const reason = transportFailureReason(cause)
  return new ProxyError(
    503,
    reason ? `upstream_reset_before_response_started{connection_failure|${reason.replace(/\s+/g, '_')}}` : 'upstream_reset_before_response_started{connection_failure}',
    retriesExhausted ? 'UF,URX' : 'UF',
    `${RESET_PREFIX}connection failure${reason ? `, transport failure reason: ${reason}` : ''}`,
    { cause },
  )
}

/** An adapter marks a failed TLS handshake with `transportFailureReason` somewhere on the cause chain. */
function transportFailureReason(cause: unknown): string | undefined {
  for (let at = cause, depth = 0; at && typeof at === 'object' && depth < 4; at = (at as { cause?: unknown }).cause, depth++) {
    const reason = (at as { transportFailureReason?: unknown }).transportFailureReason
    if (typeof reason === 'string') return reason
  }
  return undefined
}
export const upstreamReset = (cause?: unknown) =>
  new ProxyError(503, 'upstream_reset_before_response_started{remote_reset}', 'UR', `${RESET_PREFIX}remote reset`, { cause })
/** Envoy's UPE (UpstreamProtocolError), the flag its router gives a codec's protocol-error reset. */
export const upstreamProtocolError = (cause?: unknown) =>
  new ProxyError(503, 'upstream_reset_before_response_started{protocol_error}', 'UPE', `${RESET_PREFIX}protocol error`, { cause })
export const perTryTimeout = () => new ProxyError(504, 'upstream_per_try_timeout', 'UT', 'upstream request timeout')
export const routeTimeout = () => new ProxyError(504, 'response_timeout', 'UT', 'upstream request timeout')
export const overflow = () => new ProxyError(503, 'upstream_reset_before_response_started{overflow}', 'UO', `${RESET_PREFIX}overflow`)
export const payloadTooLarge = () => new ProxyError(413, 'request_payload_too_large', '', 'Payload Too Large')
export const headersTooLarge = () => new ProxyError(431, 'request_headers_too_large', 'DPE', 'Request Header Fields Too Large')
/** More header fields than max_request_headers_count: Envoy's HTTP/1 codec's 431 and details. */
export const tooManyHeaders = () => new ProxyError(431, 'http1.too_many_headers', 'DPE', 'Request Header Fields Too Large')
export const downstreamDisconnect = () => new ProxyError(499, 'downstream_remote_disconnect', 'DC', '')
export const localUpstreamError = (cause?: unknown) =>
  new ProxyError(500, 'upstream_request_not_sent{local_error}', '', 'upstream request could not be sent', { cause })
/** The fault filter's abort, with Envoy's body and details. */
export const faultAbort = (status: number) => new ProxyError(status, 'fault_filter_abort', 'FI', 'fault filter abort')
export const badRequest = (why: string, code = 'bad_request') => new ProxyError(400, code, 'DPE', why)

/**
 * Why an attempt got no response: the runtime's classification (`protocol` also covers a status
 * line no HTTP response may carry: 999, 600, 099), its per-try timeout expiring, or `downstream`:
 * the client broke the body being sent (gone, malformed, over the limit; the cause is the
 * ProxyError to answer with) — the endpoint is not to blame.
 */
export type AttemptFailure = UpstreamFailure | 'per-try-timeout' | 'downstream'

const FAILURE_FLAGS: Record<Exclude<AttemptFailure, 'downstream'>, ResponseFlag> = {
  connect: 'UF',
  reset: 'UR',
  protocol: 'UPE',
  timeout: 'UT',
  'per-try-timeout': 'UT',
  aborted: 'DC',
  local: '',
  overflow: 'UO',
}

/** The response flag of one failed attempt (its span's tag), the same flag its local reply carries. */
export function failureFlag(failure: AttemptFailure, cause: unknown): string {
  if (failure === 'downstream') return cause instanceof ProxyError ? cause.flag : 'DC'
  return FAILURE_FLAGS[failure]
}

/** The local reply for the request whose last attempt (of `attempts`) failed this way. */
export function failureReply(failure: AttemptFailure, cause: unknown, attempts: number): ProxyError {
  switch (failure) {
    case 'downstream':
      return cause instanceof ProxyError ? cause : downstreamDisconnect()
    case 'local':
      // The runtime refused to send what the request carried: nothing reached the endpoint.
      return localUpstreamError(cause)
    case 'connect':
      return connectFailure(cause, attempts > 1)
    case 'reset':
      return upstreamReset(cause)
    case 'protocol':
      return upstreamProtocolError(cause)
    case 'per-try-timeout':
      return perTryTimeout()
    case 'timeout':
      return routeTimeout()
    case 'aborted':
      return downstreamDisconnect()
    case 'overflow':
      return overflow()
  }
}
