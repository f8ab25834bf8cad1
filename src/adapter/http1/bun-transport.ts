// The Bun socket glue of the HTTP/1.1 client: Bun.connect with a connect deadline, and a
// Transport that queues what the kernel did not take (Bun's write() may accept only part).

import type { Socket, SocketHandler } from 'bun'
import type { Connect, Transport, TransportHandler } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

class BunTransport implements Transport {
  handler: TransportHandler | undefined
  closed = false
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
    this.#queued = bytes.subarray(Math.max(0, written))
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
    this.handler?.drain()
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
    this.handler = undefined
    this.socket.terminate()
  }
}

// Typed as Bun's default binaryType; at runtime `data` receives Uint8Arrays (binaryType below).
const handlers: SocketHandler<BunTransport> = {
  binaryType: 'uint8array' as 'buffer',
  data: (socket, bytes) => socket.data.handler?.data(bytes),
  drain: (socket) => socket.data.flush(),
  close: (socket, error) => {
    const transport = socket.data
    if (transport.closed) return
    transport.closed = true
    const handler = transport.handler
    transport.handler = undefined
    handler?.close(error)
  },
  // Without allowHalfOpen Bun closes the socket after the peer's FIN; close() reports it.
  error: () => {},
}

export const bunConnect: Connect = (host, port, { timeoutMs, signal }) =>
  new Promise<Transport>((resolve, reject) => {
    let settled = false
    const settle = () => {
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    const onAbort = () => {
      if (settled) return
      settle()
      reject(abortReason(signal))
    }
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          if (settled) return
          settle()
          reject(new UpstreamError('connect', 'ConnectTimeout', `connect to ${host}:${port} timed out after ${timeoutMs} ms`))
        }, Math.max(1, timeoutMs))
      : undefined
    signal.addEventListener('abort', onAbort, { once: true })
    const transport = new BunTransport()
    Bun.connect<BunTransport>({ hostname: host, port, data: transport, socket: handlers }).then(
      (socket) => {
        transport.socket = socket
        // A connect that completes after its deadline or abort is closed unused.
        if (settled) return transport.destroy()
        settle()
        socket.setNoDelay(true)
        resolve(transport)
      },
      (error: Error & { code?: string }) => {
        if (settled) return
        settle()
        reject(new UpstreamError('connect', error.code ?? 'ConnectFailed', `connect to ${host}:${port} failed: ${error.message}`, { cause: error }))
      },
    )
  })
