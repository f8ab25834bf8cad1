// Envoy's per-cluster circuit breakers for the limits we can enforce without owning connections:
// requests in flight (max_requests) and retries in flight (max_retries).
// maxConnections / maxPendingRequests are reported (snapshot, /clusters) but not enforced: the
// runtime's fetch pools connections out of our sight, so there is no pending queue to bound.

import type { ClusterStats } from '../stats/stats-store.ts'
import type { CircuitBreakersConfig } from '../config/model.ts'

export class CircuitBreakers {
  #activeRequests = 0
  #activeRetries = 0

  constructor(
    readonly config: CircuitBreakersConfig,
    private readonly stats: ClusterStats,
  ) {}

  get activeRequests(): number {
    return this.#activeRequests
  }

  get activeRetries(): number {
    return this.#activeRetries
  }

  /** false = overflow: answer 503 UO. Counts upstream_rq_pending_overflow as Envoy does for max_requests. */
  tryAcquireRequest(): boolean {
    if (this.#activeRequests >= this.config.maxRequests) {
      this.stats.upstream_rq_pending_overflow.inc()
      return false
    }
    this.#activeRequests++
    this.stats.upstream_rq_active.set(this.#activeRequests)
    return true
  }

  releaseRequest(): void {
    if (this.#activeRequests > 0) this.#activeRequests--
    this.stats.upstream_rq_active.set(this.#activeRequests)
  }

  /** false = do not retry (the attempt's own result stands). Counts upstream_rq_retry_overflow. */
  tryAcquireRetry(): boolean {
    if (this.#activeRetries >= this.config.maxRetries) {
      this.stats.upstream_rq_retry_overflow.inc()
      return false
    }
    this.#activeRetries++
    return true
  }

  releaseRetry(): void {
    if (this.#activeRetries > 0) this.#activeRetries--
  }
}
