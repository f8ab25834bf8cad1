// An upstream answer whose whole body came with its head, as edgeway's HTTP/1.1 client hands it to
// the byte-level listener: status, the head's fields in a plain-JS Headers (AnswerFields, arrival order), the
// body bytes as a field, the hop-by-hop flag as a field. No Response, no native Headers, and no
// stream unless something reads `body`: the listener's writer takes the fields as they are
// (response-writer.ts), so the Response a runtime's server would need is never made (bench/README
// stop 33 presp18: ~1.2 µs made and edited once, and its native forEach in the writer). Made only
// under the byte listener switch; a listener on the runtime's server gets a Response instead, or
// turns one into a Response at its boundary (to-response.ts).

import type { ProxyResponse } from '../runtime.ts'

export class UpstreamAnswer implements ProxyResponse {
  #bytes: Uint8Array
  #stream: ReadableStream<Uint8Array> | undefined = undefined
  #used = false

  constructor(
    readonly status: number,
    readonly statusText: string,
    /** The head's fields as an AnswerFields (src/http1/answer-fields.ts) (editable in place: the path's response phase does). */
    readonly headers: Headers,
    /** The whole body (empty when there is none, e.g. HEAD or 204). */
    bytes: Uint8Array,
    /** The head had no hop-by-hop field (hop-by-hop-free.ts). */
    readonly hopByHopFree: boolean,
  ) {
    this.#bytes = bytes
  }

  /** The whole body while nothing has taken it as a stream or a buffer (whole-body.ts reads this). */
  get wholeBody(): Uint8Array | undefined {
    return this.#used ? undefined : this.#bytes
  }

  /**
   * True once the body was taken (body or arrayBuffer()): then the whole body is no longer this
   * record's to hand on (a Response says so only once read; the path asks before it takes the body,
   * and asks nothing after, so the stricter reading costs it nothing).
   */
  get bodyUsed(): boolean {
    return this.#used
  }

  /** Made on first read (a retry's cancel, a caller that needs a stream), holding the bytes. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream
    if (this.#used) return null
    this.#used = true
    const bytes = this.#bytes
    // A default stream, not a byte one: enqueueing into a byte stream would detach the bytes' buffer,
    // which may be the connection's read buffer.
    this.#stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes as Uint8Array<ArrayBuffer>)
        controller.close()
      },
    })
    return this.#stream
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#used) return Promise.reject(new TypeError('Body already used'))
    this.#used = true
    const bytes = this.#bytes
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
}
