// One upstream connection as the pool owns it: the runtime's Transport with its bytes counted and
// its end reported exactly once, as local (edgeway destroyed it) or remote (the upstream closed or
// reset it), which is what Envoy's upstream_cx_destroy_local/_remote tell apart. The exchange and
// the idle pool use it as the plain Transport it is.

import type { ExchangeDone } from './exchange-request.ts'
import type { RequestWriter } from './request-writer.ts'
import type { ResponseReader } from './response-reader.ts'
import type { Transport, TransportEvents } from './transport.ts'

export interface ConnectionSink {
  received(bytes: number): void
  sent(bytes: number): void
  ended(connection: PooledConnection, local: boolean): void
  released(connection: PooledConnection): void
}

export class PooledConnection implements Transport, ExchangeDone {
  events: TransportEvents | undefined
  /** A request is on it and its response has not ended; cleared when it is released. */
  busy = false
  /** When it last went idle (the pool's clock); meaningful only while the pool holds it idle. */
  idleSinceMs = 0
  /** Its last exchange's reader and writer, for the next exchange to reset (ExchangeDone). */
  spareReader: ResponseReader | undefined = undefined
  spareWriter: RequestWriter | undefined = undefined
  #ended = false
  readonly #inner: Transport
  readonly copiesWrites: boolean
  /**
   * Its events while idle: any byte means the connection is out of step, so it is done for (the
   * close is reported by the pool's ended()). One object per connection, not one per release.
   */
  readonly #idleEvents: TransportEvents = { data: () => this.destroy(), drain: () => {}, close: () => {} }

  constructor(
    inner: Transport,
    /** When its connect started (the pool's clock): upstream_cx_length_ms runs from here. */
    readonly openedAtMs: number,
    private readonly sink: ConnectionSink,
  ) {
    this.#inner = inner
    this.copiesWrites = inner.copiesWrites === true
    inner.events = {
      data: (bytes) => {
        sink.received(bytes.byteLength)
        this.events?.data(bytes)
      },
      drain: () => this.events?.drain(),
      close: (error) => {
        this.#end(false)
        const events = this.events
        this.events = undefined
        events?.close(error)
      },
    }
  }

  get closed(): boolean {
    return this.#inner.closed
  }

  write(bytes: Uint8Array): boolean {
    this.sink.sent(bytes.byteLength)
    return this.#inner.write(bytes)
  }

  /** Only when the inner transport copiesWrites (which offers writeRange then). */
  writeRange(bytes: Uint8Array, start: number, end: number): boolean {
    this.sink.sent(end - start)
    return this.#inner.writeRange!(bytes, start, end)
  }

  pause(): void {
    this.#inner.pause()
  }

  resume(): void {
    this.#inner.resume()
  }

  /** Its exchange is over (exchange.ts): back to the pool when it may carry another request. */
  exchangeDone(reusable: boolean): void {
    if (reusable) this.release()
  }

  /** The pool keeps it idle from `nowMs`. */
  idle(nowMs: number): void {
    this.idleSinceMs = nowMs
    this.events = this.#idleEvents
  }

  /** Its exchange ended and it may carry another request: back to the pool. */
  release(): void {
    this.sink.released(this)
  }

  destroy(): void {
    this.events = undefined
    this.#inner.destroy()
    this.#end(true)
  }

  #end(local: boolean): void {
    if (this.#ended) return
    this.#ended = true
    this.sink.ended(this, local)
  }
}
