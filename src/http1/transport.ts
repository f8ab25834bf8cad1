// The port the HTTP/1.1 client runs on: a byte pipe per connection, and how to open one. A
// runtime adapter (src/adapter/bun-transport.ts, deno-transport.ts) implements it; nothing here
// knows Bun or Deno. Push-shaped (events in, write out) because Bun's sockets are push-based and a
// Deno read loop pushes what each read returns, both without copying.

import type { TlsHandshakeReport } from '../stats/ssl-stats.ts'

export interface TransportEvents {
  /**
   * Bytes arrived. The transport never reuses this memory afterwards, so the receiver may keep
   * views into it (response body chunks) without copying.
   */
  data(bytes: Uint8Array): void
  /** What write() queued past its mark has been handed to the kernel: write more. */
  drain(): void
  /** The peer closed or reset the connection (`error` set for a reset). Sent once. */
  close(error?: Error): void
}

export interface Transport {
  /** Who receives this connection's events now: the exchange using it, or the pool holding it. */
  events: TransportEvents | undefined
  /**
   * Takes ownership of `bytes` (the caller must not change them). False when the transport holds
   * more than it wants queued: wait for `drain` before writing more.
   */
  write(bytes: Uint8Array): boolean
  /**
   * True when write() keeps no reference to the bytes once it returns (they went to the kernel,
   * or what it queues is its own copy): the writer may then write over them (head-bytes.ts).
   */
  readonly copiesWrites?: boolean
  /**
   * As write(bytes.subarray(start, end)), without the view: offered by a transport that
   * copiesWrites (the request writer writes a head straight from the shared slab, head-bytes.ts).
   */
  writeRange?(bytes: Uint8Array, start: number, end: number): boolean
  /** Stops reading (backpressure from the response body's reader); idempotent. */
  pause(): void
  resume(): void
  /** Closes at once; no close event follows. Idempotent. */
  destroy(): void
  readonly closed: boolean
}

/**
 * Opens a TCP connection to `host:port` (an IP literal, brackets already removed). Rejects with
 * the runtime's own error; bounding it in time and classifying the failure is connect.ts's job.
 * A TLS dial tells `handshakes` how its handshake went (the cluster's ssl.* stats); a plain one ignores it.
 */
export type Dial = (host: string, port: number, handshakes: TlsHandshakeReport) => Promise<Transport>
