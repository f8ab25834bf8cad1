// Writes one Response onto a downstream connection as HTTP/1.1 bytes, for the byte-level listener
// (server-connection.ts): the head (response-head-bytes.ts), then the body framed by a length,
// by chunks, or by the close, and the verdict whether the connection may carry another request.
// A whole body (the upstream client's mark, whole-body.ts) leaves with its head in one write and no
// promise; any other body is read with a reader, each chunk written as it comes, and reading
// waits for the transport's drain whenever it says its queue is full (the upstream client's own
// reader then fills up and pauses its socket: backpressure end to end).
// Bun's server's bytes for the same Response are the reference; where this writes others on purpose,
// test/integration/response-writer-differential.test.ts lists it and why.

import type { ServerTransport } from './server-transport.ts'
import { CHUNKED, composed, composeResponseHead, forEachField, NO_FRAMING, responseRangeWritten, walked, type FieldWalk } from './response-head-bytes.ts'
import { declaredLength, GATHER_BYTES, joinedChunks, peek } from './response-body-peek.ts'
import { wholeBodyOf } from '../upstream/whole-body.ts'
import type { ProxyResponse } from '../runtime.ts'

/** What the writer needs of the request being answered. `keepAlive`: the request allows another on the connection (RFC 9112 §9.3). */
export type ResponseFacts = { readonly method: string; readonly version: 10 | 11; readonly keepAlive: boolean }

/** The part of a ServerTransport the writer uses: destroy() cuts a body that broke after its head went out. */
export type WriterTransport = Pick<ServerTransport, 'write' | 'closed' | 'destroy'> & Partial<Pick<ServerTransport, 'writeRange' | 'copiesWrites'>>

/** Body bytes up to this size leave in the head's write (as the client's request writer does). */
const COALESCE_BYTES = 16 * 1024
const EMPTY = new Uint8Array(0)
const encoder = new TextEncoder()
const CRLF = encoder.encode('\r\n')
const LAST_CHUNK = encoder.encode('0\r\n\r\n')
const CRLF_LAST_CHUNK = encoder.encode('\r\n0\r\n\r\n')
const CLOSE_TOKEN = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i

/** How a streamed body is framed: a declared length, chunks, or the connection's close (HTTP/1.0). */
const LENGTH = 0
const CHUNKS = 1
const UNTIL_CLOSE = 2


export class ResponseWriter {
  readonly #transport: WriterTransport
  readonly #walk: FieldWalk
  #drained: ((open: boolean) => void) | undefined
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #closed = false
  // A streamed body's framing state, per response.
  #mode = LENGTH
  #left = 0
  /** A large chunk went out without its closing CRLF: the next chunk line (or the last chunk) carries it. */
  #crlfOwed = false

  /** `walk`: how the fields are read (response-head-bytes.ts FieldWalk); Headers.forEach's sorted order by default. */
  constructor(transport: WriterTransport, walk: FieldWalk = forEachField) {
    this.#transport = transport
    this.#walk = walk
  }

  /**
   * Writes the response, head and body; true when the connection may carry another request.
   * A boolean for a whole body the transport took at once; a promise when a body streams or the
   * transport's queue is full (it settles once drained). Never rejects: a body that breaks before
   * its head is written gives false with nothing written (the loop closes the connection); after,
   * the connection is destroyed, so the client sees the body cut, as Envoy resets it.
   * One response at a time: the next write() only once the last one has settled (its framing
   * state is the writer's).
   */
  write(response: ProxyResponse, facts: ResponseFacts): boolean | Promise<boolean> {
    if (this.#closed) {
      response.body?.cancel().catch(() => {})
      return false
    }
    const status = response.status
    const noBody = facts.method === 'HEAD' || status < 200 || status === 204 || status === 304
    const whole = wholeBodyOf(response)
    if (whole !== undefined) return this.#whole(status, response.headers, facts, whole, noBody)
    const body = response.body
    if (body === null) return this.#whole(status, response.headers, facts, EMPTY, noBody)
    if (noBody && facts.method !== 'HEAD') {
      // A body on a 204 or 304 is never sent; HEAD reads on, for the length a GET would get.
      body.cancel().catch(() => {})
      return this.#whole(status, response.headers, facts, EMPTY, true)
    }
    return this.#stream(status, response.headers, facts, body, noBody)
  }

  /** The transport's drain event. */
  drain(): void {
    this.#drained?.(true)
  }

  /** The transport closed: a body being written stops (its reader cancelled), a pending write settles false. */
  close(_error?: Error): void {
    this.#closed = true
    this.#drained?.(false)
    this.#reader?.cancel().catch(() => {})
  }

  /** A body of known bytes: one head with its length (or the Headers' own on HEAD and 304), the bytes behind it. */
  #whole(status: number, headers: Headers, facts: ResponseFacts, bytes: Uint8Array, noBody: boolean): boolean | Promise<boolean> {
    const send = !noBody && bytes.byteLength > 0
    const inHead = send && bytes.byteLength <= COALESCE_BYTES ? bytes : null
    const keep = status === 304 || (noBody && status >= 200 && status !== 204)
    const framing = status < 200 || status === 204 || status === 304 ? NO_FRAMING : bytes.byteLength
    try {
      composeResponseHead(status, headers, keep, framing, facts.version === 10 && facts.keepAlive, inHead, false, this.#walk)
    } catch {
      return false // a field with no byte form: nothing written
    }
    const keepAlive = verdict(facts, false)
    let room = this.#writeComposed()
    // Both, always: the transport takes what it is given even past its mark (transport.ts).
    if (send && inHead === null) room = this.#transport.write(bytes) && room
    if (room) return keepAlive
    return this.#drain().then((open) => open && keepAlive)
  }

  async #stream(status: number, headers: Headers, facts: ResponseFacts, body: ReadableStream<Uint8Array>, head: boolean): Promise<boolean> {
    let reader: ReadableStreamDefaultReader<Uint8Array>
    try {
      reader = this.#reader = body.getReader()
    } catch {
      return false // a body already read (locked): nothing to send
    }
    const declared = declaredLength(headers)
    this.#mode = declared >= 0 ? LENGTH : facts.version === 11 ? CHUNKS : UNTIL_CLOSE
    this.#left = declared
    this.#crlfOwed = false
    const framing = this.#mode === LENGTH ? declared : this.#mode === CHUNKS ? CHUNKED : NO_FRAMING
    const echo = facts.version === 10 && facts.keepAlive
    let pending = reader.read()
    let room: boolean
    let streaming = false
    try {
      // What of the body is there already (a local reply, an upstream body that has arrived) is
      // read at once: a body that ends within it goes out whole with its length, as Bun's server
      // sends it; else the head leaves with what was gathered. A body not there yet gets its head
      // at once, as Envoy sends it (Bun's server writes only its status line until the first chunk).
      const gathered: Uint8Array[] = []
      let total = 0
      let ready = await peek(pending)
      while (ready !== undefined && !ready.done && total + ready.value.byteLength <= GATHER_BYTES) {
        gathered.push(ready.value)
        total += ready.value.byteLength
        pending = reader.read()
        ready = await peek(pending)
      }
      if (this.#closed) return false
      if (ready !== undefined && ready.done) return await this.#whole(status, headers, facts, joinedChunks(gathered, total), head)
      if (head) {
        // HEAD: the head a GET would get, its own Content-Length kept; the body is not read further.
        composeResponseHead(status, headers, true, facts.version === 11 ? CHUNKED : NO_FRAMING, echo, null, false, this.#walk)
        return this.#finish(this.#writeComposed(), verdict(facts, false))
      }
      const coalesce = total > 0 && total <= COALESCE_BYTES && (this.#mode !== LENGTH || total <= declared)
      composeResponseHead(status, headers, false, framing, echo && this.#mode !== UNTIL_CLOSE, coalesce ? joinedChunks(gathered, total) : null, this.#mode === CHUNKS, this.#walk)
      room = this.#writeComposed()
      if (coalesce) this.#left -= total
      else for (const chunk of gathered) room = this.#send(chunk) && room
      streaming = true
    } catch {
      return false // broken before a byte of the head went out (or a field with no byte form): nothing written
    } finally {
      if (!streaming) {
        this.#reader = undefined
        reader.cancel().catch(() => {}) // ended already, or no longer wanted (HEAD, a failure)
      }
    }
    const keepAlive = verdict(facts, this.#mode === UNTIL_CLOSE)
    let ended = false
    try {
      for (;;) {
        // Longer than its Content-Length: what was sent is the whole response; the rest is dropped with the connection.
        if (this.#left < 0 && this.#mode === LENGTH) return false
        if (!room && !(await this.#drain())) return false
        if (this.#closed) return false
        const read = await pending
        if (this.#closed) return false
        if (read.done) {
          ended = true
          break
        }
        room = this.#send(read.value)
        pending = reader.read()
      }
    } catch {
      // The body broke after its head went out: cut the connection, so the client sees it short.
      if (!this.#closed) this.#transport.destroy()
      return false
    } finally {
      this.#reader = undefined
      if (!ended) reader.cancel().catch(() => {})
    }
    if (this.#mode === LENGTH && this.#left > 0) {
      this.#transport.destroy() // shorter than it declared: a close is the only way to say so
      return false
    }
    if (this.#mode === CHUNKS) return this.#finish(this.#transport.write(this.#crlfOwed ? CRLF_LAST_CHUNK : LAST_CHUNK), keepAlive)
    return this.#finish(true, keepAlive)
  }

  /** One chunk of a streamed body, framed; false when the transport's queue is full. */
  #send(chunk: Uint8Array): boolean {
    const n = chunk.byteLength
    if (n === 0) return true // an empty chunk would end a chunked body
    const transport = this.#transport
    if (this.#mode === LENGTH) {
      const left = this.#left
      this.#left = left - n
      return transport.write(n > left ? chunk.subarray(0, left) : chunk)
    }
    if (this.#mode === UNTIL_CLOSE) return transport.write(chunk)
    const line = `${this.#crlfOwed ? '\r\n' : ''}${n.toString(16)}\r\n`
    if (n > COALESCE_BYTES) {
      // A large chunk is not copied behind its size line: its CRLF goes with the next line.
      const room = transport.write(encoder.encode(line))
      this.#crlfOwed = true
      return transport.write(chunk) && room
    }
    const framed = new Uint8Array(line.length + n + 2)
    encoder.encodeInto(line, framed)
    framed.set(chunk, line.length)
    framed[framed.byteLength - 2] = 13
    framed[framed.byteLength - 1] = 10
    this.#crlfOwed = false
    return transport.write(framed)
  }

  /** The verdict once what was written has been taken (at once, or after the drain). */
  #finish(room: boolean, keepAlive: boolean): boolean | Promise<boolean> {
    if (room) return keepAlive
    return this.#drain().then((open) => open && keepAlive)
  }

  /** The head just composed, written from the slab (as a range to a transport that copies writes). */
  #writeComposed(): boolean {
    const { slab, start, end } = composed
    const transport = this.#transport
    if (transport.copiesWrites === true && transport.writeRange !== undefined) {
      const room = transport.writeRange(slab, start, end)
      responseRangeWritten(slab, start, end)
      return room
    }
    return transport.write(slab.subarray(start, end))
  }

  /** Resolves true on the transport's drain, false when it closed. */
  #drain(): Promise<boolean> {
    if (this.#closed || this.#transport.closed) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => (this.#drained = resolve)).finally(() => (this.#drained = undefined))
  }
}

/** The keep-alive verdict after composeResponseHead's walk: `untilClose`, the body ends with the connection. */
function verdict(facts: ResponseFacts, untilClose: boolean): boolean {
  const connection = walked.connection
  return facts.keepAlive && !untilClose && (connection === null || !CLOSE_TOKEN.test(connection))
}
