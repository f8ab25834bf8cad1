// Request heads as a connection's bytes arrive in pieces of any size: joins the pieces of a head
// still incomplete, hands back the parsed head once its blank line is in, and what came after it
// (the body, or the next pipelined request) untouched. One reader and one record per connection.
// Not wired into any listener yet (docs/architecture/byte-listener.md).

import { parseRequestHead, RequestHeadRecord } from './request-head.ts'
import type { RequestHeadLimits } from './request-head-limits.ts'

const EMPTY = new Uint8Array(0)

export class RequestHeadReader {
  /** Every head this reader parses goes into this record: valid until the next head is read. */
  readonly head = new RequestHeadRecord()
  readonly #limits: RequestHeadLimits
  /** An incomplete head: its first `#pendingLength` bytes; `#owned` when the buffer is ours to grow. */
  #pending: Uint8Array | undefined
  #pendingLength = 0
  #owned = false
  /** The bytes after the last head read: a view into what arrived (transports never reuse it). */
  rest: Uint8Array = EMPTY

  constructor(limits: RequestHeadLimits) {
    this.#limits = limits
  }

  /** Some bytes of a head have arrived but not its end (a connection closing now cut a request short). */
  get pending(): boolean {
    return this.#pending !== undefined
  }

  /**
   * Feeds arrived bytes: the head once complete (then `rest` holds what followed it), else
   * undefined and the bytes are kept for the next call. Throws RequestHeadError; after it the
   * connection must not be read on (nothing after a malformed head can be framed).
   */
  push(chunk: Uint8Array): RequestHeadRecord | undefined {
    let bytes = chunk
    let scanned = 0
    if (this.#pending !== undefined) {
      scanned = this.#pendingLength
      bytes = this.#append(chunk)
    }
    const head = parseRequestHead(bytes, this.#limits, this.head, scanned)
    if (head === undefined) {
      if (this.#pending === undefined && bytes.byteLength > 0) {
        // kept as is, copied only when more comes
        this.#pending = bytes
        this.#pendingLength = bytes.byteLength
        this.#owned = false
      }
      this.rest = EMPTY
      return undefined
    }
    this.#pending = undefined
    this.#pendingLength = 0
    this.#owned = false
    this.rest = head.headBytes === bytes.byteLength ? EMPTY : bytes.subarray(head.headBytes)
    return head
  }

  /**
   * Adds bytes to a head still incomplete, in a buffer grown by doubling: a head dripped a byte
   * at a time costs linear time and memory (bounded by the limits' raw cap), not a copy per byte.
   */
  #append(bytes: Uint8Array): Uint8Array {
    const needed = this.#pendingLength + bytes.byteLength
    if (!this.#owned || needed > this.#pending!.byteLength) {
      const grown = new Uint8Array(Math.max(needed * 2, 1024))
      grown.set(this.#pending!.subarray(0, this.#pendingLength))
      this.#pending = grown
      this.#owned = true
    }
    this.#pending!.set(bytes, this.#pendingLength)
    this.#pendingLength = needed
    return this.#pending!.subarray(0, needed)
  }
}
