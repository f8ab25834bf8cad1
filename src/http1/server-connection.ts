// One accepted downstream connection of the byte-level listener: request heads read from its
// bytes (RequestHeadReader), one request at a time handed to the listener's handler as a
// ByteRequest, the response written back (ResponseWriter), then the next head, until either side
// closes. Runtime-neutral: the socket is a ServerTransport the adapter made (src/adapter/bun-listen.ts).
// Bytes that arrive while a request is in flight are held, not parsed (a pipelined head is answered
// after the one before it); reading goes on up to a cap so a client going away is still seen.

import type { ConnInfo, ListenerHandler, ProxyResponse } from '../runtime.ts'
import { framingErrorOf } from '../proxy/request-framing.ts'
import { ByteRequest } from './byte-request.ts'
import { RequestBodySource } from './request-body-source.ts'
import { requestUrl } from './request-url.ts'
import { ResponseWriter, type ResponseFacts } from './response-writer.ts'
import type { FieldWalk } from './response-head-bytes.ts'
import { RequestHeadError } from './request-head-error.ts'
import type { RequestHeadLimits } from './request-head-limits.ts'
import { RequestHeadReader } from './request-head-reader.ts'
import type { RequestHeadRecord } from './request-head.ts'
import type { ServerTransport } from './server-transport.ts'
import { ConnectionTimer, type ConnectionTimers } from './connection-timer.ts'
import { BODY_FULL, HELD_FULL, ReadGate, STOPPED } from './read-gate.ts'

export type { ConnectionTimers } from './connection-timer.ts'

export type ServerConnectionOptions = {
  readonly limits: RequestHeadLimits
  /** A head begun must be whole within this (slowloris); Bun's server has ~10 s. */
  readonly headReadTimeoutMs: number
  /** A keep-alive connection between requests, or a new one that sent nothing, is closed after this. */
  readonly idleTimeoutMs: number
  readonly timers: ConnectionTimers
  /** How the writer reads a response's fields (the runtime's order); Headers.forEach's by default. */
  readonly fieldWalk?: FieldWalk
  /** The listener stops accepting: no connection takes another request. */
  readonly draining: () => boolean
  /** The connection is gone (its listener's count of open connections). */
  readonly onClosed: (connection: ServerConnection) => void
}

const CONTINUE = new TextEncoder().encode('HTTP/1.1 100 Continue\r\n\r\n')
const INTERNAL_ERROR = () => new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } })

export class ServerConnection {
  readonly #transport: ServerTransport
  readonly #handler: ListenerHandler
  readonly #options: ServerConnectionOptions
  readonly #reader: RequestHeadReader
  readonly #writer: ResponseWriter
  readonly #conn: ConnInfo
  /** The request in flight, and its body when the head declared one. */
  #request: ByteRequest | undefined
  #body: RequestBodySource | undefined
  /** Bytes that arrived while a request was in flight: the next request's (pipelined, or early). */
  #held: Uint8Array[] = []
  #heldBytes = 0
  readonly #gate: ReadGate
  readonly #timer: ConnectionTimer
  #closed = false
  /** The transport's reading as a request body holds it (made once per connection, not per body). */
  readonly #flow = { pause: () => this.#gate.hold(BODY_FULL), resume: () => this.#gate.release(BODY_FULL) }
  readonly #continue100 = () => void this.#transport.write(CONTINUE)

  constructor(transport: ServerTransport, handler: ListenerHandler, options: ServerConnectionOptions) {
    this.#transport = transport
    this.#handler = handler
    this.#options = options
    this.#reader = new RequestHeadReader(options.limits)
    this.#writer = new ResponseWriter(transport, options.fieldWalk)
    this.#gate = new ReadGate(transport)
    // Idle, or a head too slow: neither has a request to answer (the runtimes' servers close without one too).
    this.#timer = new ConnectionTimer(options.timers, () => this.#request === undefined && this.destroy())
    this.#conn = { remoteAddress: transport.remoteAddress, remotePort: transport.remotePort }
    transport.events = { data: (bytes) => this.#data(bytes), drain: () => this.#writer.drain(), close: (error) => this.#gone(error) }
    this.#timer.arm(options.idleTimeoutMs)
  }

  /** Waiting for a request with nothing of one arrived: the listener may close it now. */
  get idle(): boolean {
    return this.#request === undefined && this.#body === undefined && !this.#reader.pending && this.#heldBytes === 0
  }

  /** The listener is closing: an idle connection goes now, a busy one after its response. */
  closeIfIdle(): void {
    if (this.idle) this.#end()
  }

  /** Closes at once (a forced listener close). */
  destroy(): void {
    if (this.#closed) return
    this.#transport.destroy()
    this.#gone(new Error('listener closed'))
  }

  #data(bytes: Uint8Array): void {
    if (this.#closed) return
    const body = this.#body
    if (body !== undefined && !body.done) {
      const taken = body.push(bytes)
      if (body.error !== undefined) return this.#bodyRefused()
      if (taken === bytes.byteLength && !body.done) return
      bytes = bytes.subarray(taken)
      // A body discarded after its response (#next) has ended: what follows is the next head.
      if (this.#request === undefined && body.done) {
        this.#body = undefined
        this.#timer.arm(this.#options.idleTimeoutMs)
      }
    }
    if (bytes.byteLength === 0) return
    if (this.#request === undefined && this.#body === undefined) return this.#readHead(bytes)
    this.#hold(bytes)
  }

  #hold(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return
    this.#held.push(bytes)
    this.#heldBytes += bytes.byteLength
    // The next head may wait whole; beyond a head's cap nothing it could be is worth holding.
    if (this.#heldBytes > 2 * this.#options.limits.maxRequestHeadersBytes) this.#gate.hold(HELD_FULL)
  }

  #readHead(bytes: Uint8Array): void {
    const wasPending = this.#reader.pending
    // The record still holds the last request's line: cleared, a refusal can tell whether this
    // head's line was read (the parser sets method and target together, once the line is valid).
    if (!wasPending) this.#reader.head.method = ''
    let head: RequestHeadRecord | undefined
    try {
      head = this.#reader.push(bytes)
    } catch (error) {
      if (error instanceof RequestHeadError) return this.#refuse(error)
      throw error
    }
    if (head === undefined) {
      // The first bytes of a head: from now on it must be whole within the head-read timeout.
      if (!wasPending && this.#reader.pending) this.#timer.arm(Math.min(this.#options.headReadTimeoutMs, this.#options.idleTimeoutMs))
      return
    }
    this.#timer.disarm()
    this.#start(head)
  }

  #start(head: RequestHeadRecord): void {
    // Framing no body can be read by (Transfer-Encoding on HTTP/1.0 too, which the runtimes'
    // servers refuse themselves): the path answers it as its own 400 (downstream_cx_protocol_error).
    const framingError = framingErrorOf(head.contentLength, head.transferEncoding, head.version === 10)
    if (framingError !== undefined) return this.#refuse(new RequestHeadError(400, framingError.code, framingError.why))
    let body: RequestBodySource | undefined
    if (head.transferEncoding !== null || (head.contentLength !== null && head.contentLength !== '0')) {
      const framing = head.transferEncoding !== null ? 'chunked' : { length: Number(head.contentLength) }
      const expectsContinue = head.version === 11 && head.expect !== null && head.expect.toLowerCase() === '100-continue'
      body = new RequestBodySource(framing, this.#flow, expectsContinue ? { continue100: this.#continue100 } : undefined)
    }
    // The url Bun's server's Request would carry (request-url.ts), so routing does not depend on the listener.
    const url = requestUrl(head, 'http')
    if (url instanceof RequestHeadError) return this.#refuse(url)
    const request = ByteRequest.of(head.method, url, head.fields, body)
    // What the response needs of the head, read now: the record is the next head's once `rest` is parsed.
    const facts = { method: head.method, version: head.version, keepAlive: head.keepAlive && !head.connectionUpgrade }
    this.#request = request
    this.#body = body
    const rest = this.#reader.rest
    if (rest.byteLength > 0) this.#data(rest)
    this.#respond(request, facts)
  }

  /** A head the parser refused: answered by the path (ByteRequest.refusal), then the connection closed. */
  #refuse(error: RequestHeadError): void {
    this.#timer.disarm()
    this.#gate.hold(STOPPED)
    const head = this.#reader.head
    const line = head.method === '' ? undefined : { method: head.method, target: head.target }
    const request = ByteRequest.refusal({ status: error.status, code: error.code, message: error.message }, line)
    this.#request = request
    this.#respond(request, { method: 'GET', version: 11, keepAlive: false })
  }

  /**
   * A chunked body the decoder refused: nothing after it can be framed, so nothing more is read.
   * The body's stream errors, which the path answers as an invalid body (400, as a runtime's
   * server's refusal reaches it today); then the connection goes (#next sees body.error).
   */
  #bodyRefused(): void {
    this.#gate.hold(STOPPED)
  }

  #respond(request: ByteRequest, facts: ResponseFacts): void {
    let result: ProxyResponse | Promise<ProxyResponse>
    try {
      result = this.#handler(request, this.#conn)
    } catch {
      result = INTERNAL_ERROR()
    }
    if (!(result instanceof Promise)) return this.#write(result, facts)
    result.then(
      (response) => this.#write(response, facts),
      () => this.#write(INTERNAL_ERROR(), facts),
    )
  }

  #write(response: ProxyResponse, facts: ResponseFacts): void {
    if (this.#closed) {
      void response.body?.cancel().catch(() => {})
      return
    }
    const reusable = this.#writer.write(response, facts)
    if (reusable === true || reusable === false) return this.#next(reusable)
    reusable.then(
      (again) => this.#next(again),
      () => this.#next(false),
    )
  }

  /** The response is written: the next request, or the end of the connection. */
  #next(reusable: boolean): void {
    if (this.#closed) return
    const body = this.#body
    this.#request = undefined
    if (!reusable || body?.error !== undefined || this.#options.draining()) return this.#end()
    if (body !== undefined && !body.done) {
      // A client still waiting for 100 Continue may never send the body: it is not waited for.
      if (body.awaitingContinue) return this.#end()
      // The response went out before its body was read: the rest is read and dropped (#data), then the next head.
      body.discard()
    } else this.#body = undefined
    this.#gate.release(BODY_FULL | HELD_FULL)
    this.#timer.arm(this.#options.idleTimeoutMs)
    const held = this.#held
    if (held.length === 0) return
    this.#held = []
    this.#heldBytes = 0
    // Each piece as it came: a head complete in the first starts its request, which holds the rest again.
    for (const piece of held) this.#data(piece)
  }

  #end(): void {
    if (this.#closed) return
    this.#transport.end()
    this.#gone()
  }

  #gone(error?: Error): void {
    if (this.#closed) return
    this.#closed = true
    this.#timer.disarm()
    const cause = error ?? new Error('downstream connection closed')
    this.#request?.abort(cause)
    this.#body?.abort(cause)
    this.#writer.close(error)
    this.#held = []
    this.#heldBytes = 0
    this.#options.onClosed(this)
  }
}
