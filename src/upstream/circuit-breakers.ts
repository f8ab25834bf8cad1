// Envoy's per-cluster circuit breakers (its ResourceManager, default priority): connections open
// (max_connections), requests waiting for a connection (max_pending_requests), requests in flight
// (max_requests) and retries in flight (max_retries). Each resource keeps Envoy's
// `circuit_breakers.default.*_open` gauge, and with track_remaining its `remaining_*` gauge.
// Connections and pending requests are counted by the HTTP/1.1 client's pool through
// endpoint-connections.ts; the proxy counts requests and retries. Per process: with --concurrency N
// every worker holds its own limits (Envoy's threads share one set).

import type { CircuitBreakersConfig } from '../config/model.ts'
import type { ClusterStats, Stat } from '../stats/stats-store.ts'

/** One bounded resource: a count, its limit and the gauges that report it. */
export class Resource {
  #count = 0
  #retired = false

  constructor(
    readonly max: number,
    private readonly open: Stat,
    private readonly remaining: Stat | undefined,
  ) {
    this.#publish()
  }

  get count(): number {
    return this.#count
  }

  canCreate(): boolean {
    return this.#count < this.max
  }

  inc(): void {
    this.#count++
    this.#publish()
  }

  dec(): void {
    if (this.#count > 0) this.#count--
    this.#publish()
  }

  /** A reload replaced this cluster: its successor's resources own the gauges now. */
  retire(): void {
    this.#retired = true
  }

  #publish(): void {
    if (this.#retired) return
    this.open.value = this.#count >= this.max ? 1 : 0
    if (this.remaining) this.remaining.value = Math.max(0, this.max - this.#count)
  }
}

export class CircuitBreakers {
  readonly connections: Resource
  readonly pendingRequests: Resource
  readonly #requests: Resource
  readonly #retries: Resource

  constructor(
    readonly config: CircuitBreakersConfig,
    private readonly stats: ClusterStats,
  ) {
    const remaining = config.trackRemaining ? stats.remaining() : undefined
    const prefix = 'circuit_breakers.default.'
    this.connections = new Resource(config.maxConnections, stats[`${prefix}cx_open`], remaining?.[`${prefix}remaining_cx`])
    this.pendingRequests = new Resource(config.maxPendingRequests, stats[`${prefix}rq_pending_open`], remaining?.[`${prefix}remaining_pending`])
    this.#requests = new Resource(config.maxRequests, stats[`${prefix}rq_open`], remaining?.[`${prefix}remaining_rq`])
    this.#retries = new Resource(config.maxRetries, stats[`${prefix}rq_retry_open`], remaining?.[`${prefix}remaining_retries`])
  }

  get activeRequests(): number {
    return this.#requests.count
  }

  get activeRetries(): number {
    return this.#retries.count
  }

  /** false = overflow: answer 503 UO. Counts upstream_rq_pending_overflow as Envoy does for max_requests. */
  tryAcquireRequest(): boolean {
    if (!this.#requests.canCreate()) {
      this.stats.upstream_rq_pending_overflow.inc()
      return false
    }
    this.#requests.inc()
    this.stats.upstream_rq_active.set(this.#requests.count)
    return true
  }

  releaseRequest(): void {
    this.#requests.dec()
    this.stats.upstream_rq_active.set(this.#requests.count)
  }

  /** false = do not retry (the attempt's own result stands). Counts upstream_rq_retry_overflow. */
  tryAcquireRetry(): boolean {
    if (!this.#retries.canCreate()) {
      this.stats.upstream_rq_retry_overflow.inc()
      return false
    }
    this.#retries.inc()
    return true
  }

  releaseRetry(): void {
    this.#retries.dec()
  }

  /**
   * The cluster was replaced or removed: what is still in flight on it keeps counting here, but
   * the gauges (shared by name with the successor) are no longer written from this generation.
   */
  retire(): void {
    for (const resource of [this.connections, this.pendingRequests, this.#requests, this.#retries]) resource.retire()
  }
}
