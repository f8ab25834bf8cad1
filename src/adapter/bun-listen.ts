// The byte-level listener's socket on Bun (EDGEWAY_LISTENER=bytes, plain HTTP/1.1 proxy listeners
// only: bun.ts decides): Bun.listen, a ServerTransport per accepted socket, and the runtime-neutral
// connection loop (src/http1/server-connection.ts) on each. Bun.serve stays the default.

import type { Socket, SocketHandler } from 'bun'
import { DEFAULT_REQUEST_HEAD_LIMITS } from '../http1/request-head-limits.ts'
import { ServerConnection, type ServerConnectionOptions } from '../http1/server-connection.ts'
import type { ServerTransport } from '../http1/server-transport.ts'
import type { TransportEvents } from '../http1/transport.ts'
import type { ListenerHandler, ServeOptions, ServerHandle } from '../runtime.ts'
import { bunResponseFields } from './bun-response-fields.ts'

/** Bun.serve's own head-read bound (its fixed ~10 s), kept for a head begun but not finished. */
const HEAD_READ_TIMEOUT_MS = 10_000

class BunServerTransport implements ServerTransport {
  events: TransportEvents | undefined
  closed = false
  /** Bun's socket.write() copies or sends what it takes; the rest is queued as a copy (below). */
  readonly copiesWrites = true
  readonly remoteAddress: string
  readonly remotePort: number
  readonly #socket: Socket<BunServerTransport>
  #queued: Uint8Array | undefined
  #paused = false
  #ending = false

  constructor(socket: Socket<BunServerTransport>) {
    this.#socket = socket
    this.remoteAddress = socket.remoteAddress ?? ''
    this.remotePort = (socket as { remotePort?: number }).remotePort ?? 0
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true // the close event reports the failure
    if (this.#queued) {
      const queued = new Uint8Array(this.#queued.byteLength + bytes.byteLength)
      queued.set(this.#queued)
      queued.set(bytes, this.#queued.byteLength)
      this.#queued = queued
      return false
    }
    const written = this.#socket.write(bytes)
    if (written >= bytes.byteLength) return true
    // A copy: the caller may reuse its bytes once write() returns (copiesWrites).
    this.#queued = bytes.slice(Math.max(0, written))
    return false
  }

  /** Bun's drain: what was queued goes on; the writer hears of it once all is out. */
  flush(): void {
    if (this.#queued) {
      const written = this.#socket.write(this.#queued)
      if (written < this.#queued.byteLength) {
        this.#queued = this.#queued.subarray(Math.max(0, written))
        return
      }
      this.#queued = undefined
      if (this.#ending) return void this.#socket.end()
    }
    this.events?.drain()
  }

  end(): void {
    if (this.closed || this.#ending) return
    this.#ending = true
    // What is still queued goes first (flush ends the socket then); Bun's end() flushes its own buffer.
    if (!this.#queued) this.#socket.end()
  }

  pause(): void {
    if (this.#paused || this.closed) return
    this.#paused = true
    this.#socket.pause()
  }

  resume(): void {
    if (!this.#paused || this.closed) return
    this.#paused = false
    this.#socket.resume()
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    this.#socket.terminate()
  }
}

type Accepted = Socket<BunServerTransport>

export async function listenBytes(options: ServeOptions, handler: ListenerHandler): Promise<ServerHandle> {
  const connections = new Set<ServerConnection>()
  let draining = false
  const settled: (() => void)[] = []
  const connectionOptions: ServerConnectionOptions = {
    limits: {
      maxRequestHeadersBytes: options.maxRequestHeaderBytes ?? DEFAULT_REQUEST_HEAD_LIMITS.maxRequestHeadersBytes,
      maxRequestHeadersCount: options.maxRequestHeaderFields ?? DEFAULT_REQUEST_HEAD_LIMITS.maxRequestHeadersCount,
    },
    headReadTimeoutMs: HEAD_READ_TIMEOUT_MS,
    // Bun.serve's idleTimeout in seconds (bun-serve.ts clamps it so too): 0 would never reap.
    idleTimeoutMs: Math.max(1, options.idleTimeoutSeconds) * 1000,
    // Fields in the order Bun.serve writes them (reswrite18's bun-response-fields.ts), so the response heads match.
    fieldWalk: bunResponseFields,
    timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>) },
    draining: () => draining,
    onClosed: (connection) => {
      connections.delete(connection)
      if (draining && connections.size === 0) for (const wake of settled.splice(0)) wake()
    },
  }
  const socket: SocketHandler<BunServerTransport> = {
    // A fresh Uint8Array per callback: the loop keeps views of it (the next head, a body piece).
    binaryType: 'uint8array' as 'buffer',
    open(accepted: Accepted) {
      const transport = new BunServerTransport(accepted)
      accepted.data = transport
      accepted.setNoDelay(true)
      connections.add(new ServerConnection(transport, handler, connectionOptions))
    },
    data: (accepted: Accepted, bytes) => accepted.data.events?.data(bytes as unknown as Uint8Array),
    drain: (accepted: Accepted) => accepted.data.flush(),
    close: (accepted: Accepted, error) => {
      const transport = accepted.data
      if (!transport || transport.closed) return
      transport.closed = true
      const events = transport.events
      transport.events = undefined
      events?.close(error)
    },
    // Without allowHalfOpen Bun closes the socket after the peer's FIN; close() reports it.
    error: () => {},
  }
  // Bun.listen throws synchronously on a taken port (EADDRINUSE), which listen.ts words as today.
  const listener = Bun.listen<BunServerTransport>({
    hostname: options.hostname,
    port: options.port,
    ...(options.reusePort && { reusePort: true }),
    socket,
  } as Bun.TCPSocketListenOptions<BunServerTransport>)
  return {
    port: listener.port,
    close: async (force = false) => {
      draining = true
      if (force) {
        listener.stop(true)
        for (const connection of [...connections]) connection.destroy()
        return
      }
      // No new connections; idle keep-alive ones go now, busy ones after their response (draining()).
      listener.stop(false)
      for (const connection of [...connections]) connection.closeIfIdle()
      if (connections.size > 0) await new Promise<void>((resolve) => settled.push(resolve))
    },
  }
}
