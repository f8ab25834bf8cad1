// Writes one request onto a transport: the head, then the framed body, waiting for `drain`
// whenever the transport says its queue is full. A streamed body is sent exactly as framed:
// chunked, or exactly its declared length (longer or shorter is an error, never a desync).

import { encodeChunk, LAST_CHUNK } from './codec.ts'
import { composed, rangeWritten } from './head-bytes.ts'
import type { FramedBody } from './request-body.ts'
import type { Transport } from './transport.ts'

/** Request bodies up to this size leave in the same write as the head. */
const COALESCE_BYTES = 16 * 1024

export class RequestWriter {
  readonly #transport: Transport
  #drained: (() => void) | undefined
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #stopped = false
  /** Every byte of the request has been handed to the transport. */
  complete = false

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Ready for the next request on the same transport, as a new writer would be. Only once
   * `complete`: no write, drain or body read of the last request is pending then (exchange.ts).
   */
  reset(): void {
    this.#drained = undefined
    this.#reader = undefined
    this.#stopped = false
    this.complete = false
  }

  /** The transport's drain event. */
  drained(): void {
    this.#drained?.()
  }

  /** The exchange is over: stop, and cancel a body stream that is still flowing. */
  stop(): void {
    this.#stopped = true
    this.#drained?.()
    if (!this.complete) this.#reader?.cancel().catch(() => {})
  }

  /**
   * Writes the request: `head` is the head's bytes, followed by the body's when bodyInHead(body)
   * gave them (null: the head just composed, see #writeHead). Undefined when it all went out in this call (the common case: no
   * promise is made), else a promise that rejects when the body stream fails or lies about its length.
   */
  write(head: Uint8Array | null, body: FramedBody): Promise<void> | undefined {
    if (!body.stream) {
      const { bytes } = body
      const transport = this.#transport
      let flushed: boolean
      if (bytes !== null && bytes.byteLength > COALESCE_BYTES) {
        // Both, always: a false from the head's write says the queue is full, yet the transport takes
        // what it is given (transport.ts), and the body was never sent when the false skipped it.
        const headFlushed = this.#writeHead(head)
        flushed = transport.write(bytes) && headFlushed
      } else flushed = this.#writeHead(head) // a small body is in `head` already (bodyInHead)
      if (flushed) {
        this.complete = true
        return undefined
      }
      return this.#drain().then(() => void (this.complete = true))
    }
    return this.#writeStream(head, body)
  }

  async #writeStream(head: Uint8Array | null, body: FramedBody): Promise<void> {
    const transport = this.#transport
    const { stream, framing } = body
    if (!this.#writeHead(head)) await this.#drain()
    const reader = (this.#reader = stream!.getReader())
    let sent = 0
    for (;;) {
      if (this.#stopped) return
      const { done, value } = await reader.read()
      if (this.#stopped) return
      if (done) break
      sent += value.byteLength
      if (typeof framing === 'number' && sent > framing) throw new Error(`request body longer than its content-length ${framing}`)
      if (value.byteLength === 0) continue // an empty chunk would end a chunked body
      if (!transport.write(framing === 'chunked' ? encodeChunk(value) : value)) await this.#drain()
    }
    if (typeof framing === 'number' && sent !== framing) throw new Error(`request body of ${sent} bytes, content-length ${framing}`)
    if (framing === 'chunked' && !transport.write(LAST_CHUNK)) await this.#drain()
    this.complete = true
  }

  /**
   * `head` null: the head just composed in the shared slab (head-bytes.ts `composed`), for a transport
   * that copiesWrites; written as a range, no view made, and its slab space given back at once.
   * Called in the same turn as the head was composed (a stream's head before the first await).
   */
  #writeHead(head: Uint8Array | null): boolean {
    if (head !== null) return this.#transport.write(head)
    const { slab, start, end } = composed
    const room = this.#transport.writeRange!(slab, start, end)
    rangeWritten(slab, start, end)
    return room
  }

  #drain(): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    return new Promise<void>((resolve) => (this.#drained = resolve)).finally(() => (this.#drained = undefined))
  }
}

/**
 * The body bytes that leave in the head's own write, written right after the head where it is
 * made (head-bytes.ts), so a small body is not copied into a third buffer beside the two; null
 * when there are none or the body goes in a write of its own.
 */
export function bodyInHead(body: FramedBody): Uint8Array | null {
  const { bytes } = body
  return bytes !== null && bytes.byteLength > 0 && bytes.byteLength <= COALESCE_BYTES && body.stream === null ? bytes : null
}

/**
 * The pieces in one buffer, copied once each: a body of many small chunks that came with its head
 * (thousands of one-byte chunks in one packet) must not be copied again for every piece, as a
 * pairwise join would.
 */
export function joined(pieces: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const piece of pieces) length += piece.byteLength
  const out = new Uint8Array(length)
  let at = 0
  for (const piece of pieces) {
    out.set(piece, at)
    at += piece.byteLength
  }
  return out
}
