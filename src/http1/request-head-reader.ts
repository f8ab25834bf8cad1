// Request heads as a connection's bytes arrive in pieces of any size: joins the pieces of a head
// still incomplete, hands back the parsed head once its blank line is in, and what came after it
// (the body, or the next pipelined request) untouched. One reader and one record per connection.
// Not wired into any listener yet (docs/architecture/byte-listener.md).

import { parseRequestHead, RequestHeadRecord } from './request-head.ts'
import type { RequestHeadLimits } from './request-head-limits.ts'
import { PendingHead } from './pending-head.ts'

const EMPTY = new Uint8Array(0)

export class RequestHeadReader {
  /** Every head this reader parses goes into this record: valid until the next head is read. */
  readonly head = new RequestHeadRecord()
  readonly #limits: RequestHeadLimits
  /** An incomplete head's bytes. */
  readonly #pending = new PendingHead(1024)
  /** The bytes after the last head read: a view into what arrived (transports never reuse it). */
  rest: Uint8Array = EMPTY

  constructor(limits: RequestHeadLimits) {
    this.#limits = limits
  }

  /** Some bytes of a head have arrived but not its end (a connection closing now cut a request short). */
  get pending(): boolean {
    return this.#pending.active
  }

  /**
   * Feeds arrived bytes: the head once complete (then `rest` holds what followed it), else
   * undefined and the bytes are kept for the next call. Throws RequestHeadError; after it the
   * connection must not be read on (nothing after a malformed head can be framed).
   */
  push(chunk: Uint8Array): RequestHeadRecord | undefined {
    let bytes = chunk
    let scanned = 0
    if (this.#pending.active) {
      scanned = this.#pending.length
      bytes = this.#pending.append(chunk)
    }
    const head = parseRequestHead(bytes, this.#limits, this.head, scanned)
    if (head === undefined) {
      if (!this.#pending.active && bytes.byteLength > 0) this.#pending.hold(bytes)
      this.rest = EMPTY
      return undefined
    }
    this.#pending.clear()
    this.rest = head.headBytes === bytes.byteLength ? EMPTY : bytes.subarray(head.headBytes)
    return head
  }
}
