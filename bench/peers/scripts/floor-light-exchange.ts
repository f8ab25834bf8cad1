// The light floor's upstream exchange (floor-listen-light.ts): edgeway's HTTP/1.1 client's own
// parts — its pool (src/http1/connection-pool.ts), the connections' spare readers and the response
// reader (response-reader.ts) — driven without building a Response. The exchange is the response
// the proxy gets: the parsed head's status and flat fields (copied: the reader's record is the next
// head's), its framing, and the body as it arrives (whole when it came with the head). What
// src/http1/exchange.ts does beyond this (the abort slot, request bodies, 1xx) a byte core would
// keep; the floor leaves it out. A bench tool, never a way to serve users.

import type { ResponseHead } from '../../../src/http1/codec.ts'
import type { ConnectionPool } from '../../../src/http1/connection-pool.ts'
import type { PoolTarget } from '../../../src/http1/endpoint-pool.ts'
import type { PooledConnection } from '../../../src/http1/pooled-connection.ts'
import { joined } from '../../../src/http1/request-writer.ts'
import { NO_READER_EVENTS, ResponseReader, type ReaderEvents } from '../../../src/http1/response-reader.ts'
import type { TransportEvents } from '../../../src/http1/transport.ts'

/** Where a streamed body goes once the head has been handed on. */
export interface BodySink {
  /** False when the downstream holds more than it wants queued: the upstream is paused until resume(). */
  chunk(bytes: Uint8Array): boolean
  end(): void
  fail(error: unknown): void
}

const NEVER = new AbortController().signal

const captured: { resolve?: (exchange: LightExchange) => void; reject?: (error: unknown) => void } = {}
function capture(resolve: (exchange: LightExchange) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve
  captured.reject = reject
}

export class LightExchange implements TransportEvents, ReaderEvents {
  readonly promise: Promise<LightExchange>
  readonly #resolve: (exchange: LightExchange) => void
  readonly #reject: (error: unknown) => void
  #connection: PooledConnection | undefined = undefined
  #reader: ResponseReader | undefined = undefined
  #head: ResponseHead | undefined = undefined
  #reused = false
  #resent = false
  #settled = false
  #finished = false
  // The response as the proxy reads it, set when the head has arrived.
  status = 0
  statusText = ''
  /** The head's fields (name, value…), the exchange's own: the proxy may edit them. */
  fields: string[] = []
  /** The body's content-length, or -1: chunked, until close, or none (`done` then at once). */
  length = -1
  keepAlive = false
  hopByHop = false
  /** Body bytes that arrived before a sink was set: the whole body when `done` at hand-over. */
  early: Uint8Array | Uint8Array[] | undefined = undefined
  /** Every body byte has arrived. */
  done = false
  sink: BodySink | undefined = undefined

  constructor(
    private readonly pool: ConnectionPool,
    private readonly target: PoolTarget,
    private readonly method: string,
    private readonly requestHead: Uint8Array,
  ) {
    this.promise = new Promise<LightExchange>(capture)
    this.#resolve = captured.resolve!
    this.#reject = captured.reject!
    captured.resolve = captured.reject = undefined
  }

  /** An idle connection at once, else a wait on the pool (a new connection or a released one). */
  send(): Promise<LightExchange> {
    const idle = this.pool.takeIdle(this.target, undefined)
    if (idle) this.#start(idle, true)
    else this.pool.wait(this.target, undefined, Infinity, NEVER).then((lease) => this.#start(lease.connection, lease.reused), (error) => this.#fail(error))
    return this.promise
  }

  /** The sink's downstream took what it had queued: read the upstream again. */
  resume(): void {
    if (!this.#finished) this.#connection?.resume()
  }

  #start(connection: PooledConnection, reused: boolean): void {
    this.#connection = connection
    this.#reused = reused
    const spare = connection.spareReader
    if (spare) {
      connection.spareReader = undefined
      spare.reset(this.method, this)
      this.#reader = spare
    } else this.#reader = new ResponseReader(this.method, this)
    connection.events = this
    if (connection.closed) return this.close()
    // A GET's head alone: the transport queues what the kernel does not take.
    connection.write(this.requestHead)
  }

  // ReaderEvents
  head(head: ResponseHead): void {
    this.#head = head
  }

  body(chunk: Uint8Array): void {
    const sink = this.sink
    if (sink) {
      if (!sink.chunk(chunk)) this.#connection!.pause()
      return
    }
    const early = this.early
    this.early = early === undefined ? chunk : Array.isArray(early) ? (early.push(chunk), early) : [early, chunk]
  }

  // TransportEvents
  data(bytes: Uint8Array): void {
    if (this.#finished) return
    const reader = this.#reader!
    try {
      reader.execute(bytes)
    } catch (error) {
      return this.#fail(error)
    }
    if (reader.done) this.done = true
    if (!this.#settled && this.#head) this.#handOver()
    if (reader.done) this.#complete()
  }

  drain(): void {}

  close(error?: Error): void {
    if (this.#finished) return
    const reader = this.#reader!
    if (reader.finish()) {
      this.done = true
      if (!this.#settled) this.#handOver()
      return this.#complete()
    }
    // The keep-alive race: a reused connection closed before any response byte, once more on a fresh one.
    if (this.#reused && !reader.received && !this.#resent) {
      this.#resent = true
      this.#connection!.events = undefined
      this.pool.wait(this.target, undefined, Infinity, NEVER).then((lease) => this.#start(lease.connection, lease.reused), (failure) => this.#fail(failure))
      return
    }
    this.#fail(error ?? new Error('upstream connection closed'))
  }

  #handOver(): void {
    const head = this.#head!
    this.status = head.status
    this.statusText = head.statusText
    this.fields = head.headers.slice()
    this.length = head.framing.kind === 'length' ? head.framing.length : -1
    this.keepAlive = head.keepAlive
    this.hopByHop = head.hopByHop
    this.#settled = true
    this.#resolve(this)
  }

  #complete(): void {
    const connection = this.#connection!
    const reader = this.#reader!
    this.#finished = true
    connection.events = undefined
    if (reader.reusable && !connection.closed) {
      reader.reset('', NO_READER_EVENTS)
      connection.spareReader = reader
      connection.release()
    } else connection.destroy()
    this.sink?.end()
  }

  #fail(error: unknown): void {
    if (this.#finished) return
    this.#finished = true
    if (this.#connection) {
      this.#connection.events = undefined
      this.#connection.destroy()
    }
    if (!this.#settled) {
      this.#settled = true
      this.#reject(error)
    } else this.sink?.fail(error)
  }
}

/** The whole body that came before the hand-over, as one piece. */
export function earlyBody(exchange: LightExchange): Uint8Array | null {
  const early = exchange.early
  exchange.early = undefined
  return early === undefined ? null : Array.isArray(early) ? joined(early) : early
}
