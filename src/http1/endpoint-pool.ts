// The connections of one cluster endpoint, as Envoy's HTTP/1.1 connection pool keeps them: idle
// keep-alive connections (newest first: a warm few are reused, the rest age out), the requests
// waiting for a connection (pending, first come first served), and new connections opened for
// them within the cluster's max_connections. A released connection goes to the oldest waiter
// before it goes idle; a failed connect fails every waiter, as Envoy purges its pending requests,
// so each one's retry policy decides. Limits and stats are the cluster's, through EndpointConnections.

import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { connect } from './connect.ts'
import { PooledConnection, type ConnectionSink } from './pooled-connection.ts'
import type { Dial } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

/** Where to connect: `key` is `ip:port` (`[v6]:port`) as the attempt's URL names it. */
export type PoolTarget = { readonly key: string; readonly host: string; readonly port: number }

export type Lease = { readonly connection: PooledConnection; readonly reused: boolean }

export type EndpointPoolOptions = {
  readonly dial: Dial
  readonly idleTimeoutMs: number
  readonly maxIdle: number
  readonly now: () => number
  /** Something went idle: the owner starts its sweeper. */
  readonly onIdle: () => void
  /** Nothing open, idle or waiting any more: the owner may forget this pool. */
  readonly onEmpty: (pool: EndpointPool) => void
}

type Waiter = {
  readonly resolve: (lease: Lease) => void
  readonly reject: (error: unknown) => void
  readonly signal: AbortSignal
  readonly onAbort: () => void
}

/** A connect belongs to the pool, not to the request that asked for it: a request that leaves lets it finish for the next. */
const NEVER_ABORTED = new AbortController().signal

export class EndpointPool implements ConnectionSink {
  /** Oldest at the bottom; each knows since when (PooledConnection.idleSinceMs). */
  readonly #idle: PooledConnection[] = []
  readonly #waiters: Waiter[] = []
  /** Connections counted as open: connecting, busy or idle. */
  #open = 0
  #connecting = 0
  #connectTimeoutMs = Infinity

  constructor(
    readonly target: PoolTarget,
    private readonly connections: EndpointConnections,
    private readonly options: EndpointPoolOptions,
  ) {}

  get idleCount(): number {
    return this.#idle.length
  }

  /** The newest live idle connection, marked busy; undefined when none is (the caller waits()). */
  takeIdle(): PooledConnection | undefined {
    const oldest = this.options.now() - this.options.idleTimeoutMs
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (idle.idleSinceMs > oldest && !idle.closed) {
        idle.busy = true
        return idle
      }
      idle.destroy()
    }
    return undefined
  }

  /** Queues the request for a connection (Envoy's pending request); rejects at once on overflow. */
  wait(connectTimeoutMs: number, signal: AbortSignal): Promise<Lease> {
    if (!this.connections.tryQueue()) {
      this.#checkEmpty()
      return Promise.reject(new UpstreamError('overflow', 'PendingOverflow', `max_pending_requests reached for ${this.target.key}`))
    }
    this.#connectTimeoutMs = connectTimeoutMs
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter)
        if (index < 0) return
        this.#waiters.splice(index, 1)
        this.connections.dequeued('cancelled')
        reject(abortReason(signal))
        this.#checkEmpty()
      }
      const waiter: Waiter = { resolve, reject, signal, onAbort }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
      this.#openForWaiters()
    })
  }

  /** The exchange on `connection` ended and it may carry another request. */
  released(connection: PooledConnection): void {
    connection.busy = false
    this.#handOver(connection, true)
  }

  /** Closes every idle connection (shutdown, tests). */
  closeIdle(): void {
    for (const idle of this.#idle.splice(0)) idle.destroy()
  }

  /** Closes idle connections past the idle timeout; true while some stay idle. */
  sweep(): boolean {
    const oldest = this.options.now() - this.options.idleTimeoutMs
    // Oldest sit at the bottom of the stack.
    let stale = 0
    while (stale < this.#idle.length && this.#idle[stale]!.idleSinceMs <= oldest) stale++
    for (const idle of this.#idle.splice(0, stale)) idle.destroy()
    return this.#idle.length > 0
  }

  received(bytes: number): void {
    this.connections.received(bytes)
  }

  sent(bytes: number): void {
    this.connections.sent(bytes)
  }

  ended(connection: PooledConnection, local: boolean): void {
    this.#open--
    const index = this.#idle.indexOf(connection)
    if (index >= 0) this.#idle.splice(index, 1)
    const lengthMs = this.options.now() - connection.openedAtMs
    this.connections.closed({ lengthMs, local, connectFailed: false, timedOut: false, withActiveRequest: connection.busy })
    // A lost connection may have been what the waiters were counting on.
    if (this.#waiters.length > 0) this.#openForWaiters()
    this.#checkEmpty()
  }

  /** Opens connections while waiters outnumber the connects under way and the cluster admits more. */
  #openForWaiters(): void {
    while (this.#waiters.length > this.#connecting) {
      if (!this.connections.tryOpen(this.#open === 0)) return
      this.#open++
      this.#connect()
    }
  }

  #connect(): void {
    this.#connecting++
    const startedMs = this.options.now()
    const { host, port } = this.target
    connect(this.options.dial, host, port, { timeoutMs: this.#connectTimeoutMs, signal: NEVER_ABORTED, handshakes: this.connections }).then(
      (transport) => {
        this.#connecting--
        this.connections.connected(this.options.now() - startedMs)
        const connection = new PooledConnection(transport, startedMs, this)
        connection.busy = true
        this.#handOver(connection, false)
      },
      (error: unknown) => {
        this.#connecting--
        this.#open--
        const timedOut = error instanceof UpstreamError && error.code === 'ConnectTimeout'
        // A timeout is edgeway closing the attempt (local); a refusal or reset is the peer's answer.
        this.connections.closed({ lengthMs: this.options.now() - startedMs, local: timedOut, connectFailed: true, timedOut, withActiveRequest: false })
        for (const waiter of this.#waiters.splice(0)) {
          waiter.signal.removeEventListener('abort', waiter.onAbort)
          this.connections.dequeued('failed')
          waiter.reject(error)
        }
        this.#checkEmpty()
      },
    )
  }

  /** To the oldest waiter, else idle (or closed past maxIdle). */
  #handOver(connection: PooledConnection, reused: boolean): void {
    const waiter = this.#waiters.shift()
    if (waiter) {
      waiter.signal.removeEventListener('abort', waiter.onAbort)
      this.connections.dequeued('served')
      connection.busy = true
      waiter.resolve({ connection, reused })
      return
    }
    connection.busy = false
    if (connection.closed || this.#idle.length >= this.options.maxIdle) return connection.destroy()
    connection.idle(this.options.now())
    this.#idle.push(connection)
    this.options.onIdle()
  }

  #checkEmpty(): void {
    if (this.#open === 0 && this.#waiters.length === 0) this.options.onEmpty(this)
  }
}
