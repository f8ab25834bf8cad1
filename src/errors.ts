// Failures the proxy answers for, as typed values: the status and body Envoy would send, the
// response flag for the access log, and whether another attempt could succeed.

export type ResponseFlag = 'NR' | 'UH' | 'UF' | 'UT' | 'UR' | 'UC' | 'UO' | 'URX' | 'DPE' | 'RL' | 'DC' | 'SI' | ''

export class ProxyError extends Error {
  constructor(
    readonly status: number,
    /** Stable snake_case code: the access log's response-code details. */
    readonly code: string,
    readonly flag: ResponseFlag,
    /** Text sent downstream; empty for replies Envoy sends without a body (404 NR). */
    readonly body: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(body || code, options)
    this.name = 'ProxyError'
  }
}

const RESET_PREFIX = 'upstream connect error or disconnect/reset before headers. reset reason: '

export const noRoute = () => new ProxyError(404, 'route_not_found', 'NR', '', false)
export const noHealthyUpstream = () => new ProxyError(503, 'no_healthy_upstream', 'UH', 'no healthy upstream', false)
export const connectFailure = (cause?: unknown) =>
  new ProxyError(503, 'upstream_reset_before_response_started{connection_failure}', 'UF', `${RESET_PREFIX}connection failure`, true, { cause })
export const upstreamReset = (cause?: unknown) =>
  new ProxyError(503, 'upstream_reset_before_response_started{remote_reset}', 'UR', `${RESET_PREFIX}remote reset`, true, { cause })
export const upstreamProtocolError = (cause?: unknown) =>
  new ProxyError(503, 'upstream_reset_before_response_started{protocol_error}', 'UR', `${RESET_PREFIX}protocol error`, true, { cause })
export const perTryTimeout = () => new ProxyError(504, 'upstream_per_try_timeout', 'UT', 'upstream request timeout', true)
export const routeTimeout = () => new ProxyError(504, 'response_timeout', 'UT', 'upstream request timeout', false)
export const overflow = () => new ProxyError(503, 'upstream_reset_before_response_started{overflow}', 'UO', `${RESET_PREFIX}overflow`, false)
export const payloadTooLarge = () => new ProxyError(413, 'request_payload_too_large', '', 'Payload Too Large', false)
export const headersTooLarge = () => new ProxyError(431, 'request_headers_too_large', 'DPE', 'Request Header Fields Too Large', false)
export const downstreamDisconnect = () => new ProxyError(499, 'downstream_remote_disconnect', 'DC', '', false)
export const localUpstreamError = (cause?: unknown) =>
  new ProxyError(500, 'upstream_request_not_sent{local_error}', '', 'upstream request could not be sent', false, { cause })
export const badRequest = (why: string, code = 'bad_request') => new ProxyError(400, code, 'DPE', why, false)
