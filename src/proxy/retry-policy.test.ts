import { describe, expect, test } from 'bun:test'
import type { RetryPolicyConfig } from '../config/model.ts'
import type { AttemptFailure } from '../errors.ts'
import type { AttemptResult } from './attempt.ts'
import { backoffMs, shouldRetry } from './retry-policy.ts'

const policy = (retryOn: string[], retriableStatusCodes: number[] = []): RetryPolicyConfig =>
  ({ retryOn, numRetries: 1, perTryTimeoutMs: 0, retriableStatusCodes, backoff: { baseIntervalMs: 25, maxIntervalMs: 250 } }) as unknown as RetryPolicyConfig
const status = (code: number): AttemptResult => ({ kind: 'response', response: new Response(null, { status: code }), endpoint: undefined as never })
const failure = (kind: AttemptFailure): AttemptResult => ({ kind: 'failure', failure: kind, endpoint: undefined as never, cause: undefined })

describe('shouldRetry (Envoy retry_on)', () => {
  test('statuses', () => {
    expect([500, 503, 200, 404].map((s) => shouldRetry(policy(['5xx']), status(s)))).toEqual([true, true, false, false])
    expect([500, 502, 503, 504].map((s) => shouldRetry(policy(['gateway-error']), status(s)))).toEqual([false, true, true, true])
    expect([409, 404].map((s) => shouldRetry(policy(['retriable-4xx']), status(s)))).toEqual([true, false])
    expect([418, 500].map((s) => shouldRetry(policy(['retriable-status-codes'], [418]), status(s)))).toEqual([true, false])
    expect(shouldRetry(policy(['connect-failure']), status(503))).toBe(false)
  })

  test('failures', () => {
    const kinds: AttemptFailure[] = ['connect', 'reset', 'protocol', 'per-try-timeout', 'timeout', 'aborted', 'local', 'downstream']
    const retried = (on: string[]) => kinds.filter((kind) => shouldRetry(policy(on), failure(kind)))
    expect(retried(['connect-failure'])).toEqual(['connect'])
    expect(retried(['reset'])).toEqual(['connect', 'reset', 'protocol', 'per-try-timeout'])
    expect(retried(['5xx'])).toEqual(['connect', 'reset', 'protocol', 'per-try-timeout'])
    expect(retried(['gateway-error'])).toEqual(['connect', 'reset', 'protocol', 'per-try-timeout'])
    expect(retried(['retriable-4xx'])).toEqual([])
  })
})

test('backoffMs: full jitter under (2^n - 1) × base, capped at max', () => {
  const p = policy(['5xx'])
  expect([1, 2, 3, 4, 5].map((n) => backoffMs(p, n, () => 0.999))).toEqual([24, 74, 174, 249, 249])
  expect(backoffMs(p, 3, () => 0)).toBe(0)
})
