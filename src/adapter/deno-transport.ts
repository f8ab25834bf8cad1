// The HTTP/1.1 client's Transport on Deno sockets (src/http1/transport.ts). Deno's conn is
// pull-based; a read loop pushes what each read returns, reading into fresh space of a shared
// buffer so the bytes it hands over are never overwritten (no copy). Writes queue behind one
// pending conn.write; pausing stops the loop, which is backpressure on the TCP window.

import type { Dial, Transport, TransportEvents } from '../http1/transport.ts'

/** The part of Deno.TcpConn the transport uses; declared so type-checking needs no Deno types. */
type DenoTcpConn = {
  read(into: Uint8Array): Promise<number | null>
  write(bytes: Uint8Array): Promise<number>
  close(): void
  setNoDelay(noDelay?: boolean): void
}

declare const Deno: { connect(options: { hostname: string; port: number }): Promise<DenoTcpConn> }

/** Read space is carved from buffers of this size; a read gets at least MIN_READ_BYTES. */
const BUFFER_BYTES = 64 * 1024
const MIN_READ_BYTES = 16 * 1024
/** Bytes queued for the kernel past which write() asks the writer to wait for drain. */
const WRITE_HIGH_WATER_BYTES = 64 * 1024

class DenoTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  readonly #conn: DenoTcpConn
  #buffer = new Uint8Array(BUFFER_BYTES)
  #offset = 0
  #paused = false
  #resume: (() => void) | undefined
  readonly #queue: Uint8Array[] = []
  #queuedBytes = 0
  #writing = false
  #wantsDrain = false

  constructor(conn: DenoTcpConn) {
    this.#conn = conn
    void this.#readLoop()
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true // the close event reports the failure
    this.#queue.push(bytes)
    this.#queuedBytes += bytes.byteLength
    if (!this.#writing) void this.#writeLoop()
    if (this.#queuedBytes <= WRITE_HIGH_WATER_BYTES) return true
    this.#wantsDrain = true
    return false
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    const resume = this.#resume
    this.#resume = undefined
    resume?.()
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    this.#resume?.()
    this.#closeConn()
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resume = resolve))
        if (this.closed) return
        if (this.#buffer.byteLength - this.#offset < MIN_READ_BYTES) {
          this.#buffer = new Uint8Array(BUFFER_BYTES)
          this.#offset = 0
        }
        const buffer = this.#buffer
        const start = this.#offset
        const n = await this.#conn.read(buffer.subarray(start))
        if (this.closed) return
        if (n === null) return this.#peerClosed(undefined)
        this.#offset = start + n
        this.events?.data(buffer.subarray(start, start + n))
      }
    } catch (error) {
      this.#peerClosed(error as Error)
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true
    try {
      while (this.#queue.length > 0 && !this.closed) {
        const bytes = this.#queue[0]!
        const n = await this.#conn.write(bytes)
        this.#queuedBytes -= n
        if (n >= bytes.byteLength) this.#queue.shift()
        else this.#queue[0] = bytes.subarray(n)
      }
    } catch (error) {
      return this.#peerClosed(error as Error)
    } finally {
      this.#writing = false
    }
    if (this.#wantsDrain && !this.closed) {
      this.#wantsDrain = false
      this.events?.drain()
    }
  }

  #peerClosed(error: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    const events = this.events
    this.events = undefined
    this.#closeConn()
    events?.close(error)
  }

  #closeConn(): void {
    try {
      this.#conn.close()
    } catch {
      // already closed by the runtime
    }
  }
}

/** A socket that connects after the client gave up is destroyed by the client (src/http1/connect.ts). */
export const denoDial: Dial = async (host, port) => {
  const conn = await Deno.connect({ hostname: host, port })
  conn.setNoDelay(true)
  return new DenoTransport(conn)
}
