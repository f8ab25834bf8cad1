// Response framing as bytes arrive from a transport in pieces of any size: feeds them through the
// head parser (codec.ts) and the chunked decoder, and reports the head, body pieces and completion.

import { ChunkedDecoder } from './chunked-decoder.ts'
import { Http1ParseError, parseResponseHead, ResponseHeadRecord, type ResponseHead } from './codec.ts'
import { MAX_INTERIM_RESPONSES } from './limits.ts'
import { PendingHead } from './pending-head.ts'

export type ReaderEvents = {
  head(head: ResponseHead): void
  /** A view into the arrived bytes, which transports never reuse (see transport.ts). */
  body(chunk: Uint8Array): void
}

/** A spare reader's listener: it holds nothing of the exchange that used it last. */
export const NO_READER_EVENTS: ReaderEvents = { head: () => {}, body: () => {} }

export class ResponseReader {
  #head: ResponseHead | undefined
  /** An incomplete head's bytes. */
  readonly #pending = new PendingHead(4096)
  #left = 0
  #chunked: ChunkedDecoder | undefined
  #done = false
  #interim = 0
  /**
   * Every head this reader parses goes into this one record, its fields into the record's array
   * (ResponseHeadRecord): not a head, framing and array per response. Not emptied by reset(): the
   * next head overwrites it (emptying would drop the array's storage on V8), so an idle connection
   * keeps its last head's field strings, a few hundred bytes.
   */
  readonly #record = new ResponseHeadRecord()
  #method: string
  #events: ReaderEvents
  /** Some response byte arrived (a reused connection that fails before that may be retried). */
  received = false
  /** Bytes followed a complete response: the upstream sent more than it declared. */
  excess = false

  constructor(method: string, events: ReaderEvents) {
    this.#method = method
    this.#events = events
  }

  /**
   * Forgets the last response's state and its listener (a pooled connection keeps the reader
   * while idle), then reads the next one as a new reader would. Only after a response that left
   * the connection reusable (complete, nothing after it): see exchange.ts.
   */
  reset(method: string, events: ReaderEvents): void {
    this.#head = undefined
    this.#pending.clear()
    this.#left = 0
    this.#chunked = undefined
    this.#done = false
    this.#interim = 0
    this.#method = method
    this.#events = events
    this.received = false
    this.excess = false
  }

  get done(): boolean {
    return this.#done
  }

  get headReceived(): boolean {
    return this.#head !== undefined
  }

  /** The response's head (not an interim one's) once it arrived; undefined again after reset(). */
  get head(): ResponseHead | undefined {
    return this.#head
  }

  /** Complete, and the connection may carry another request. */
  get reusable(): boolean {
    return this.#done && this.#head!.keepAlive && !this.excess
  }

  /** Feeds arrived bytes; throws Http1ParseError on a framing violation. */
  execute(chunk: Uint8Array): void {
    if (chunk.byteLength > 0) this.received = true
    if (this.#done) {
      if (chunk.byteLength > 0) this.excess = true
      return
    }
    let bytes = chunk
    while (!this.#head) {
      const scanned = this.#pending.length
      if (this.#pending.active) bytes = this.#pending.append(bytes)
      const head = parseResponseHead(bytes, this.#method, scanned, this.#record)
      if (!head) {
        if (!this.#pending.active) this.#pending.hold(bytes)
        return
      }
      this.#pending.clear()
      bytes = bytes.subarray(head.headBytes)
      if (head.status === 101) throw new Http1ParseError('protocol upgrade is not supported')
      if (head.status < 200) {
        // interim response (100 Continue, 103 Early Hints): dropped, but not without end
        if (++this.#interim > MAX_INTERIM_RESPONSES) throw new Http1ParseError('too many interim responses')
        continue
      }
      this.#head = head
      const { framing } = head
      if (framing.kind === 'length') this.#left = framing.length
      else if (framing.kind === 'chunked') this.#chunked = new ChunkedDecoder()
      this.#events.head(head)
      if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) this.#done = true
    }
    if (bytes.byteLength === 0) return
    if (this.#done) {
      this.excess = true
      return
    }
    const { framing } = this.#head
    if (framing.kind === 'close') return this.#events.body(bytes)
    if (this.#chunked) {
      const { data, consumed } = this.#chunked.push(bytes)
      for (const piece of data) this.#events.body(piece)
      if (this.#chunked.done) {
        this.#done = true
        if (consumed < bytes.byteLength) this.excess = true
      }
      return
    }
    const take = Math.min(this.#left, bytes.byteLength)
    this.#events.body(take === bytes.byteLength ? bytes : bytes.subarray(0, take))
    this.#left -= take
    if (this.#left === 0) this.#done = true
    if (take < bytes.byteLength) this.excess = true
  }

  /** The upstream closed its side. Returns true when the response is complete. */
  finish(): boolean {
    if (this.#head?.framing.kind === 'close') this.#done = true
    return this.#done
  }
}


