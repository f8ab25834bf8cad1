// When another attempt may help (Envoy's retry_on semantics) and how long to wait before it.

import type { RetryPolicyConfig } from '../config/model.ts'
import type { AttemptResult } from './attempt.ts'

export function shouldRetry(policy: RetryPolicyConfig, result: AttemptResult): boolean {
  const on = policy.retryOn
  if (result.kind === 'response') {
    const status = result.response.status
    if (status >= 500 && on.includes('5xx')) return true
    if ((status === 502 || status === 503 || status === 504) && on.includes('gateway-error')) return true
    if (status === 409 && on.includes('retriable-4xx')) return true
    return on.includes('retriable-status-codes') && policy.retriableStatusCodes.includes(status)
  }
  switch (result.failure) {
    case 'connect':
      return on.includes('connect-failure') || on.includes('5xx') || on.includes('gateway-error') || on.includes('reset')
    case 'reset':
    case 'protocol':
    case 'per-try-timeout':
      return on.includes('5xx') || on.includes('gateway-error') || on.includes('reset')
    default:
      // The route's own timeout and a client that left end the request: nothing to retry for.
      return false
  }
}

/** Fully jittered exponential backoff: retry n waits a random time in [0, (2^n - 1) * base), capped. */
export function backoffMs(policy: RetryPolicyConfig, retry: number, random: () => number): number {
  const { baseIntervalMs, maxIntervalMs } = policy.backoff
  const ceiling = Math.min(maxIntervalMs, (2 ** retry - 1) * baseIntervalMs)
  return Math.floor(random() * ceiling)
}
