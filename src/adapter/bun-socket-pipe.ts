// A Bun socket as a byte pipe (src/http1/transport.ts), for the HTTP/1.1 client's connections
// (bun-transport.ts) and the byte listener's (bun-listen.ts): Bun's write() may accept only part of
// the bytes, so the rest is queued, as a copy, and written on Bun's drain.

import type { Socket } from 'bun'
import type { Transport, TransportEvents } from '../http1/transport.ts'

export class BunSocketPipe implements Transport {
  events: TransportEvents | undefined
  closed = false
  /** Bun's socket.write() copies or sends what it takes; the rest is queued as a copy (below). */
  readonly copiesWrites = true
  socket!: Socket<BunSocketPipe>
  #queued: Uint8Array | undefined
  #paused = false
  #ending = false

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true // the close event reports the failure
    if (this.#queued) {
      this.#queue(bytes)
      return false
    }
    const written = this.socket.write(bytes)
    if (written >= bytes.byteLength) return true
    // A copy, not a view (copiesWrites): the caller writes the next head over these bytes.
    // Only when the kernel's buffer is full, which is rare.
    this.#queued = bytes.slice(Math.max(0, written))
    return false
  }

  writeRange(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.closed) return true
    if (this.#queued) return this.write(bytes.subarray(start, end))
    // socket.write's offset and length: no view of the slab per head.
    const written = this.socket.write(bytes, start, end - start)
    if (written >= end - start) return true
    this.#queued = bytes.slice(start + Math.max(0, written), end)
    return false
  }

  /** Bun's drain: what was queued goes on; the writer hears of it once all is out. */
  flush(): void {
    if (this.#queued) {
      const written = this.socket.write(this.#queued)
      if (written < this.#queued.byteLength) {
        this.#queued = this.#queued.subarray(Math.max(0, written))
        return
      }
      this.#queued = undefined
      if (this.#ending) return void this.socket.end()
    }
    this.events?.drain()
  }

  /** Closes once what is queued has gone to the kernel (Bun's end() flushes its own buffer). */
  end(): void {
    if (this.closed || this.#ending) return
    this.#ending = true
    if (!this.#queued) this.socket.end()
  }

  pause(): void {
    if (this.#paused || this.closed) return
    this.#paused = true
    this.socket.pause()
  }

  resume(): void {
    if (!this.#paused || this.closed) return
    this.#paused = false
    this.socket.resume()
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    this.socket.terminate()
  }

  /** Bun's close: reported once to whoever holds the events. */
  peerClosed(error?: Error): void {
    if (this.closed) return
    this.closed = true
    const events = this.events
    this.events = undefined
    events?.close(error)
  }

  #queue(bytes: Uint8Array): void {
    const queued = new Uint8Array(this.#queued!.byteLength + bytes.byteLength)
    queued.set(this.#queued!)
    queued.set(bytes, this.#queued!.byteLength)
    this.#queued = queued
  }
}
