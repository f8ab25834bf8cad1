// One request/response on one connection: writes the request (request-writer.ts), reads the
// response (response-reader.ts) and hands back a standard Response; a streamed body goes through
// body-stream.ts, which pauses the transport while its reader is behind. Never pipelined: the
// connection is handed back only after the response ended exactly where the next one may begin.
// One object per exchange is the transport's, the reader's and the signal's listener at once: a
// small request allocates no closures here (the client's JS per request is bench/client-cost.ts).

import { Http1ParseError, type ResponseHead } from './codec.ts'
import { composeRequestHead, requestHeadBytes } from './head-bytes.ts'
import { queuedBodyStream, type BodyStreamOwner, type ResponseBodyStream } from './body-stream.ts'
import type { ExchangeDone, ExchangeRequest, ExchangeShared } from './exchange-request.ts'
import { NO_READER_EVENTS, ResponseReader, type ReaderEvents } from './response-reader.ts'
import { joined } from './joined.ts'
import { bodyInHead, RequestWriter } from './request-writer.ts'
import type { Transport, TransportEvents } from './transport.ts'
import type { ProxyResponse } from '../runtime.ts'
import { abortReason, protocolError, UpstreamError } from './upstream-error.ts'
import { unwatchAbort, watchAbort } from './abort-watch.ts'
import { BodyEnd, reportsBodyEnd } from '../upstream/body-end.ts'
import { marksHopByHopFree } from '../upstream/hop-by-hop-free.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'
import { UpstreamAnswer } from '../upstream/upstream-answer.ts'
import { AnswerFields } from './answer-fields.ts'

const STANDALONE: ExchangeShared = { streams: queuedBodyStream, stale: undefined }

/**
 * `done.exchangeDone(reusable)` is called once when the connection is no longer this exchange's:
 * true when it may carry another request (the caller pools it), false after it was destroyed here.
 */
export function exchange(transport: Transport, request: ExchangeRequest, reused: boolean, done: ExchangeDone, shared: ExchangeShared = STANDALONE): Promise<ProxyResponse> {
  // One module-level executor hands out the promise's functions: no closure over these arguments
  // per exchange, and no { promise, resolve, reject } record as Promise.withResolvers makes.
  const promise = new Promise<ProxyResponse>(capture)
  const resolve = captured.resolve!
  const reject = captured.reject!
  captured.resolve = captured.reject = undefined
  try {
    new Exchange(transport, request, reused ? REUSED : 0, done, shared, resolve, reject).start()
  } catch (error) {
    reject(error) // as an executor's throw would
  }
  return promise
}

const captured: { resolve?: (response: ProxyResponse | Promise<ProxyResponse>) => void; reject?: (error: unknown) => void } = {}
/** Runs inside `new Promise` at once (synchronously): nothing can come between it and the reads after. */
function capture(resolve: (response: ProxyResponse | Promise<ProxyResponse>) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve
  captured.reject = reject
}

// An exchange's flags, bits of one field (each a field of its own made the object ~60 B larger).
/** The connection carried an earlier request (a failure before any response byte may be stale). */
const REUSED = 1
/** The promise is resolved or rejected. */
const SETTLED = 2
/** The connection is no longer this exchange's. */
const FINISHED = 4
/** The request's signal reaches this exchange through its slot, not a listener of its own (abort-watch.ts). */
const SLOTTED = 8

class Exchange implements TransportEvents, ReaderEvents, BodyStreamOwner, EventListenerObject {
  readonly #parser: ResponseReader
  readonly #writer: RequestWriter
  /** Body bytes that came with the head, before a Response exists: one piece (the common case) or several. */
  #early: Uint8Array | Uint8Array[] | undefined = undefined
  #body: ResponseBodyStream | undefined = undefined

  constructor(
    private readonly transport: Transport,
    private readonly request: ExchangeRequest,
    /** REUSED, SETTLED, FINISHED, SLOTTED. */
    private flags: number,
    private readonly done: ExchangeDone,
    private readonly shared: ExchangeShared,
    private readonly resolve: (response: ProxyResponse | Promise<ProxyResponse>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const reader = done.spareReader
    const writer = done.spareWriter
    if (reader !== undefined && writer !== undefined) {
      done.spareReader = done.spareWriter = undefined
      reader.reset(request.method, this)
      this.#parser = reader
      this.#writer = writer
    } else {
      this.#parser = new ResponseReader(request.method, this)
      this.#writer = new RequestWriter(transport)
    }
  }

  start(): void {
    const { transport, request } = this
    if (watchAbort(request.signal, this)) this.flags |= SLOTTED
    transport.events = this
    if (transport.closed) {
      // Closed before a byte of this request went out: sending it elsewhere repeats nothing.
      return this.#fail(new UpstreamError('reset', 'ConnectionClosed', 'upstream connection closed before the request', { stale: (this.flags & REUSED) !== 0, unsent: true }))
    }
    // A transport that keeps nothing it was given takes the head as a range of the slab: no view.
    let headBytes: Uint8Array | null = null
    try {
      const { body } = request
      if (transport.copiesWrites === true) composeRequestHead(request.method, request.target, request.endpoint.key, request.headers, body.framing, bodyInHead(body), request.block ?? null)
      else headBytes = requestHeadBytes(request.method, request.target, request.endpoint.key, request.headers, body.framing, bodyInHead(body), request.block ?? null)
    } catch (cause) {
      return this.#fail(new UpstreamError('local', 'InvalidRequestHead', `request not sent: ${(cause as Error).message}`, { cause, unsent: true }))
    }
    this.#writer.write(headBytes, request.body)?.catch((cause) => {
      const message = `request body failed: ${(cause as Error)?.message ?? cause}`
      this.#fail(new UpstreamError('local', 'RequestBodyFailed', message, { cause }))
    })
  }

  // ReaderEvents
  head(_head: ResponseHead): void {
    // The reader keeps it (ResponseReader.head): no field of this object's for it.
  }

  body(chunk: Uint8Array): void {
    if (!this.#body) {
      const early = this.#early
      this.#early = early === undefined ? chunk : Array.isArray(early) ? (early.push(chunk), early) : [early, chunk]
    } else if (!this.#body.push(chunk)) this.transport.pause()
  }

  // TransportEvents
  data(bytes: Uint8Array): void {
    if ((this.flags & FINISHED) !== 0) return
    const parser = this.#parser
    try {
      parser.execute(bytes)
      if ((this.flags & SETTLED) === 0 && parser.headReceived) this.#respond()
    } catch (cause) {
      return this.#fail(asProtocolError(cause))
    }
    if (parser.done) this.#complete()
  }

  drain(): void {
    this.#writer.drained()
  }

  close(error?: Error): void {
    if ((this.flags & FINISHED) !== 0) return
    const parser = this.#parser
    if (parser.finish()) return this.#complete()
    const stale = (this.flags & REUSED) !== 0 && !parser.received
    const what = parser.headReceived ? 'during the response body' : 'before the response head'
    const code = error ? 'ConnectionReset' : 'ConnectionClosed'
    this.#fail(new UpstreamError('reset', code, `upstream connection ${error ? 'reset' : 'closed'} ${what}`, { cause: error, stale }))
  }

  // The request's signal (EventListenerObject, through abort-watch.ts)
  handleEvent(): void {
    this.#fail(abortReason(this.request.signal))
  }

  // BodyStreamOwner
  resume(): void {
    // After the last byte the connection is no longer this exchange's to resume.
    if ((this.flags & FINISHED) === 0) this.transport.resume()
  }

  cancelled(): void {
    this.#fail(new UpstreamError('aborted', 'BodyCancelled', 'response body cancelled by its reader'))
  }

  #end(reusable: boolean): void {
    this.flags |= FINISHED
    unwatchAbort(this.request.signal, this, (this.flags & SLOTTED) !== 0)
    this.transport.events = undefined
    // A request body still flowing (the upstream answered early, or failed) is not wanted any more.
    this.#writer.stop()
    if (!reusable) this.transport.destroy()
    else {
      // Complete on both sides (see #complete): nothing of this exchange touches them again. Both
      // forget it now, so an idle connection holds none of it (its head, its body stream's reader).
      this.#parser.reset('', NO_READER_EVENTS)
      this.#writer.reset()
      this.done.spareReader = this.#parser
      this.done.spareWriter = this.#writer
      // The last bytes may have come in the data that paused the transport (body(): a JS reader
      // behind), and resume() is not this exchange's once FINISHED: an idle connection must read
      // again, or the next exchange on it never hears its response (found by the byte listener).
      this.transport.resume()
    }
    this.done.exchangeDone(reusable)
  }

  #fail(error: unknown): void {
    if ((this.flags & FINISHED) !== 0) return
    this.#end(false)
    if ((this.flags & SETTLED) === 0) {
      this.flags |= SETTLED
      const { stale } = this.shared
      const again = stale && error instanceof UpstreamError && error.stale ? stale.resend(this.request, error) : undefined
      if (again) this.resolve(again)
      else this.reject(error)
    } else this.#body?.fail(error)
  }

  /** Throws (TypeError, RangeError) on a header value a Response cannot carry. */
  #respond(): void {
    const head = this.#parser.head!
    // The head's fields go into the Response's own Headers after it is made: given in the init,
    // Deno 2.9 builds a native copy of a whole-body response for its server that the proxy's first
    // header edit throws away again (~1.6 µs of 2.9 on Deno; Bun 0.64 -> 0.58 µs).
    const init = head.status === 200 && head.statusText === 'OK' ? OK_INIT : { status: head.status, statusText: head.statusText }
    const early = this.#early
    if (this.#parser.done) {
      this.#early = undefined
      const bytes = !early ? null : Array.isArray(early) ? joined(early) : early
      if (this.shared.records === true) {
        // The byte listener's answer: the head's fields and the bytes as they are, no Response
        // (src/upstream/upstream-answer.ts). The reader's fields are the next head's: fromFields copies them.
        this.flags |= SETTLED
        this.resolve(new UpstreamAnswer(head.status, head.statusText, new AnswerFields(head.headers) as unknown as Headers, bytes ?? EMPTY, !head.hopByHop))
        return
      }
      // Marked whole: the proxy can hand this very Response on (src/upstream/whole-body.ts).
      const response = wholeBodyResponse(bytes as Uint8Array<ArrayBuffer> | null, init)
      appendFields(response.headers, head.headers)
      // The proxy then skips its hop-by-hop walk of these headers (src/upstream/hop-by-hop-free.ts).
      if (!head.hopByHop) marksHopByHopFree(response)
      this.flags |= SETTLED
      this.resolve(response)
      return
    }
    // A streamed body gets no native copy: the fields go in as the init, read before the stream takes the early bytes.
    const headers = new Headers()
    appendFields(headers, head.headers)
    this.#early = undefined
    // A streamed body reports its end (src/upstream/body-end.ts) once the runtime has read the last
    // chunk, while the connection is free as soon as the body has arrived.
    const end = new BodyEnd()
    const body = this.shared.streams(this, end)
    const response = new Response(body.stream, { ...init, headers })
    reportsBodyEnd(response, end)
    if (!head.hopByHop) marksHopByHopFree(response)
    this.#body = body
    let room = true
    if (Array.isArray(early)) for (const chunk of early) room = body.push(chunk)
    else if (early) room = body.push(early)
    if (!room) this.transport.pause()
    this.flags |= SETTLED
    this.resolve(response)
  }

  #complete(): void {
    if ((this.flags & SETTLED) === 0) {
      try {
        this.#respond()
      } catch (cause) {
        return this.#fail(asProtocolError(cause))
      }
    }
    this.#body?.finish()
    this.#end(this.#parser.reusable && this.#writer.complete && !this.transport.closed)
  }
}

/**
 * The usual answer's init, made once and without its statusText: neither runtime's HTTP server
 * writes a Response's statusText (both send the status's standard phrase; HTTP/2 has none), and
 * one runtime checks it as a ByteString and reason phrase in every Response constructor (~170 ns).
 */
const OK_INIT: ResponseInit = { status: 200 }
const EMPTY = new Uint8Array(0)

/** Throws (TypeError, RangeError) on a field a Headers cannot carry. `fields`: name, value, name, value… */
function appendFields(headers: Headers, fields: readonly string[]): void {
  for (let i = 0; i < fields.length; i += 2) headers.append(fields[i]!, fields[i + 1]!)
}

function asProtocolError(cause: unknown): unknown {
  const protocol = cause instanceof Http1ParseError || cause instanceof TypeError || cause instanceof RangeError
  return protocol ? protocolError((cause as Error).message, cause) : cause
}
