// One request's retries (Envoy's RetryState): the retries left, the cluster's retry budget (its
// circuit breaker's retry slot, held through the backoff) and the jittered backoff before the next attempt.

import type { RetryPolicyConfig } from '../config/model.ts'
import type { AttemptResult } from './attempt.ts'
import type { PreparedBody } from './request-body.ts'
import { backoffMs, shouldRetry } from './retry-policy.ts'

/** `retry`: a retry slot is held until backoff() returns; `overflow`: the budget said no (counted by the cluster). */
export type RetryDecision = 'retry' | 'no-retry' | 'limit-exceeded' | 'overflow'

/** What a retry needs of its cluster: the circuit breaker's retry slot. */
export type RetryBudget = { tryAcquireRetry(): boolean; releaseRetry(): void }

export type RetryDeps = {
  readonly now: () => number
  readonly random: () => number
  readonly sleep: (ms: number) => Promise<void>
}

export class RetryState {
  #left: number
  #used = 0

  constructor(
    readonly policy: RetryPolicyConfig,
    readonly budget: RetryBudget,
    readonly body: Pick<PreparedBody, 'replayable'>,
    readonly deps: RetryDeps,
  ) {
    this.#left = policy.numRetries
  }

  get retriesLeft(): number {
    return this.#left
  }

  /** Whether the attempt that gave `result` is followed by another; on `retry` the budget slot is taken. */
  decide(result: AttemptResult): RetryDecision {
    if (!shouldRetry(this.policy, result)) return 'no-retry'
    // Envoy counts upstream_rq_retry_limit_exceeded only once retries actually ran out.
    if (this.#left === 0) return this.#used > 0 ? 'limit-exceeded' : 'no-retry'
    // A streamed body already went to the failed attempt: it cannot be sent again.
    if (!this.body.replayable) return 'no-retry'
    if (!this.budget.tryAcquireRetry()) return 'overflow'
    this.#left--
    this.#used++
    return 'retry'
  }

  /**
   * After a `retry` decision: drops the failed attempt's response body, waits the backoff (never
   * past `deadline`, on the deps' clock), then gives the retry slot back.
   */
  async backoff(previous: AttemptResult, deadline: number): Promise<void> {
    try {
      if (previous.kind === 'response') await previous.response.body?.cancel().catch(() => {})
      const wait = Math.min(backoffMs(this.policy, this.#used, this.deps.random), deadline - this.deps.now())
      if (wait > 0) await this.deps.sleep(wait)
    } finally {
      this.budget.releaseRetry()
    }
  }
}
