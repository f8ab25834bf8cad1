// The byte pipe the HTTP/1.1 client runs on: what a runtime's socket must offer. Keeping it this
// small keeps the runtime glue (bun-transport.ts) small and lets the client be tested without one.

export interface TransportHandler {
  data(bytes: Uint8Array): void
  /** Everything queued by write() has been handed to the kernel. */
  drain(): void
  /** The peer closed or reset the connection (`error` set for a reset). */
  close(error?: Error): void
}

export interface Transport {
  /** Who receives this connection's events now: the exchange using it, or the pool holding it. */
  handler: TransportHandler | undefined
  /** Takes ownership of `bytes`; false when some had to be queued (wait for drain before more). */
  write(bytes: Uint8Array): boolean
  /** Stops reading (backpressure from the response body's consumer); idempotent. */
  pause(): void
  resume(): void
  /** Closes at once; no close event follows for the caller. Idempotent. */
  destroy(): void
  readonly closed: boolean
}

export type ConnectOptions = {
  /** The TCP connect must complete within this; Infinity for no bound. */
  readonly timeoutMs: number
  readonly signal: AbortSignal
}

/** Opens a connection; rejects with an UpstreamError('connect') or the signal's reason. */
export type Connect = (host: string, port: number, options: ConnectOptions) => Promise<Transport>
