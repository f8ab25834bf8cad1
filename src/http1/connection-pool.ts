// Every endpoint pool of the client, one per cluster endpoint (per EndpointConnections: two clusters
// naming the same address keep separate pools and limits, as in Envoy), plus one uncounted,
// unlimited pool per address for requests that name no cluster (health checks). One sweeper timer
// for all of them closes idle connections past the idle timeout, only while any is idle, so it
// never keeps a process alive.

import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { EndpointPool, type Lease, type PoolTarget } from './endpoint-pool.ts'
import type { PooledConnection } from './pooled-connection.ts'
import type { Dial } from './transport.ts'

export type PoolOptions = {
  readonly dial: Dial
  /** Idle connections older than this are closed instead of reused (upstreams close theirs too). */
  readonly idleTimeoutMs: number
  /** Idle connections kept per endpoint; more are closed on release. */
  readonly maxIdlePerEndpoint: number
  readonly now: () => number
}

/** Health checks and other requests outside a cluster: no limits, no stats. */
const UNCOUNTED: EndpointConnections = {
  tryOpen: () => true,
  connected: () => {},
  closed: () => {},
  tryQueue: () => true,
  dequeued: () => {},
  received: () => {},
  sent: () => {},
  connectFailed: () => {},
  tlsHandshake: () => {},
  tlsFailed: () => {},
}

export class ConnectionPool {
  readonly #pools = new Map<EndpointConnections | string, EndpointPool>()
  readonly #options: PoolOptions
  #sweeper: ReturnType<typeof setInterval> | undefined

  constructor(options: PoolOptions) {
    this.#options = options
  }

  /**
   * A wait for a new or released connection (the caller took no idle one: takeIdle below).
   * Rejects with UpstreamError('overflow') past max_pending_requests, ('connect') when the connect
   * fails, or with the signal's reason.
   */
  wait(target: PoolTarget, connections: EndpointConnections | undefined, connectTimeoutMs: number, signal: AbortSignal): Promise<Lease> {
    // Asked again: closing stale idle connections may have emptied (and forgotten) the pool.
    return this.#pool(target, connections).wait(connectTimeoutMs, signal)
  }

  /**
   * The endpoint of `url` (`http://<key><path>`) when this cluster endpoint's pool already has it:
   * the attempt builds every URL from the same endpoint, so it need not be parsed again. Undefined
   * when there is no such pool or the URL names another address (the caller parses it).
   */
  knownTarget(url: string, connections: EndpointConnections | undefined): PoolTarget | undefined {
    if (!connections) return undefined
    const target = this.#pools.get(connections)?.target
    if (!target || !url.startsWith('http://') || !url.startsWith(target.key, 7)) return undefined
    const end = 7 + target.key.length
    return url.length === end || url.charCodeAt(end) === 47 /* / */ ? target : undefined
  }

  /** An idle connection, marked busy, for reuse at once; undefined when the caller must wait. */
  takeIdle(target: PoolTarget, connections: EndpointConnections | undefined): PooledConnection | undefined {
    return this.#pool(target, connections).takeIdle()
  }

  /** Idle connections, for tests and introspection; of one endpoint (`ip:port`) or all. */
  idleCount(key?: string): number {
    let total = 0
    for (const pool of this.#pools.values()) if (key === undefined || pool.target.key === key) total += pool.idleCount
    return total
  }

  /** Closes every idle connection (shutdown, tests). */
  closeAll(): void {
    for (const pool of [...this.#pools.values()]) pool.closeIdle()
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper)
    this.#sweeper = undefined
  }

  #pool(target: PoolTarget, connections: EndpointConnections | undefined): EndpointPool {
    const key = connections ?? target.key
    let pool = this.#pools.get(key)
    if (!pool) {
      pool = new EndpointPool(target, connections ?? UNCOUNTED, {
        dial: this.#options.dial,
        idleTimeoutMs: this.#options.idleTimeoutMs,
        maxIdle: this.#options.maxIdlePerEndpoint,
        now: this.#options.now,
        onIdle: () => this.#startSweeper(),
        onEmpty: (empty) => {
          if (this.#pools.get(key) === empty) this.#pools.delete(key)
        },
      })
      this.#pools.set(key, pool)
    }
    return pool
  }

  #startSweeper(): void {
    if (this.#sweeper !== undefined) return
    const every = Math.max(50, this.#options.idleTimeoutMs / 2)
    this.#sweeper = setInterval(() => {
      let idle = false
      for (const pool of [...this.#pools.values()]) if (pool.sweep()) idle = true
      if (!idle) {
        clearInterval(this.#sweeper)
        this.#sweeper = undefined
      }
    }, every)
    ;(this.#sweeper as { unref?: () => void }).unref?.()
  }
}
