// The HTTP/1.1 client's Transport on Bun sockets (src/http1/transport.ts): Bun.connect, and a
// queue for what the kernel did not take (Bun's write() may accept only part of the bytes).

import type { Socket, SocketHandler } from 'bun'
import type { Dial, Transport, TransportEvents } from '../http1/transport.ts'

class BunTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  /** Bun's socket.write() copies or sends what it takes; the rest is queued as a copy (below). */
  readonly copiesWrites = true
  socket!: Socket<BunTransport>
  #queued: Uint8Array | undefined
  #paused = false

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true // the close event reports the failure
    if (this.#queued) {
      const queued = new Uint8Array(this.#queued.byteLength + bytes.byteLength)
      queued.set(this.#queued)
      queued.set(bytes, this.#queued.byteLength)
      this.#queued = queued
      return false
    }
    const written = this.socket.write(bytes)
    if (written >= bytes.byteLength) return true
    // A copy, not a view (copiesWrites): the caller writes the next request head over these bytes.
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

  flush(): void {
    if (this.#queued) {
      const written = this.socket.write(this.#queued)
      if (written < this.#queued.byteLength) {
        this.#queued = this.#queued.subarray(Math.max(0, written))
        return
      }
      this.#queued = undefined
    }
    this.events?.drain()
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
}

// Typed as Bun's default binaryType; at runtime `data` receives a fresh Uint8Array per callback
// (binaryType below), which is what lets the client keep views of it without copying.
const handlers: SocketHandler<BunTransport> = {
  binaryType: 'uint8array' as 'buffer',
  data: (socket, bytes) => socket.data.events?.data(bytes),
  drain: (socket) => socket.data.flush(),
  close: (socket, error) => {
    const transport = socket.data
    if (transport.closed) return
    transport.closed = true
    const events = transport.events
    transport.events = undefined
    events?.close(error)
  },
  // Without allowHalfOpen Bun closes the socket after the peer's FIN; close() reports it.
  error: () => {},
}

/** A socket that connects after the client gave up is destroyed by the client (src/http1/connect.ts). */
export const bunDial: Dial = async (host, port) => {
  const transport = new BunTransport()
  const socket = await Bun.connect<BunTransport>({ hostname: host, port, data: transport, socket: handlers })
  transport.socket = socket
  socket.setNoDelay(true)
  return transport
}
