// The one error type of the HTTP/1.1 client: every failed connect, exchange or response body
// rejects with it, already classified, so the runtime adapters need no guessing from error codes.

import type { UpstreamFailure } from '../runtime.ts'

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure
  /** Short machine-readable reason: ConnectTimeout, ConnectionReset, ProtocolError, InvalidContentLength… */
  readonly code: string
  /**
   * A reused keep-alive connection failed before any response byte arrived: the upstream most
   * likely closed it while it sat idle. Whether the request may go again is the client's call.
   */
  readonly stale: boolean
  /** No byte of the request reached the transport: resending it cannot repeat its effect. */
  readonly unsent: boolean

  constructor(failure: UpstreamFailure, code: string, message: string, options: { cause?: unknown; stale?: boolean; unsent?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'UpstreamError'
    this.failure = failure
    this.code = code
    this.stale = options.stale ?? false
    this.unsent = options.unsent ?? false
  }
}

/** A malformed response from the upstream (RFC 9112 framing violated): a reset, never a TypeError. */
export function protocolError(message: string, cause?: unknown): UpstreamError {
  return new UpstreamError('protocol', 'ProtocolError', `upstream protocol error: ${message}`, { cause })
}

/** What a rejected exchange carries when its signal fired: the signal's own reason. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}
