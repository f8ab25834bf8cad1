// What the request-head parser admits from a client before answering 431 or 414: bounds that keep
// one hostile client from costing unbounded memory or CPU. Named as the listener's config
// (ListenerConfig.maxRequestHeadersBytes from max_request_headers_kb; Envoy's
// max_request_headers_count, which edgeway's config does not offer yet) so a listener can pass its own.

export type RequestHeadLimits = {
  /**
   * Envoy's count, as downstream-request.ts checks it today: the bytes of every field name and
   * value plus the method and the target (without a `?`); over it is 431. The raw head, with its
   * separators and whitespace, may take up to twice this (rawHeadBytesCap) before the blank line
   * arrives, which bounds what a head that never ends can hold.
   */
  readonly maxRequestHeadersBytes: number
  /** Field lines in one head; more is 431 (Envoy: max_request_headers_count, 100 by default). */
  readonly maxRequestHeadersCount: number
  /**
   * The request target's bytes; longer is 414. Undefined: no limit of its own, the target counts
   * toward maxRequestHeadersBytes as in Envoy (which has no 414), as the listeners do today.
   */
  readonly maxTargetBytes?: number | undefined
}

/** Envoy's defaults, edgeway's max_request_headers_kb default (60 KiB). */
export const DEFAULT_REQUEST_HEAD_LIMITS: RequestHeadLimits = { maxRequestHeadersBytes: 60 * 1024, maxRequestHeadersCount: 100 }

/** Raw head bytes buffered without a blank line before the head is refused (431). */
export function rawHeadBytesCap(limits: RequestHeadLimits): number {
  return 2 * limits.maxRequestHeadersBytes
}
