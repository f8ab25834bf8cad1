// The error every failed exchange of the HTTP/1.1 client rejects with, already classified, so the
// runtime's classifyUpstreamError needs no guessing from error codes.

import type { UpstreamFailure } from '../../runtime.ts'

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure
  readonly code: string
  /**
   * A reused keep-alive connection failed before any response byte arrived: the upstream most
   * likely closed it while it sat idle, so a replayable request may go again on a fresh one.
   */
  readonly stale: boolean

  constructor(failure: UpstreamFailure, code: string, message: string, options: { cause?: unknown; stale?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'UpstreamError'
    this.failure = failure
    this.code = code
    this.stale = options.stale ?? false
  }
}

/** What a rejected exchange carries when its signal fired: the signal's own reason. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}
