import { expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import type { RetryPolicyConfig } from '../config/model.ts'
import type { AttemptResult } from './attempt.ts'
import { RetryState } from './retry-state.ts'

const policy = { retryOn: ['5xx'], numRetries: 2, perTryTimeoutMs: 0, retriableStatusCodes: [], backoff: { baseIntervalMs: 100, maxIntervalMs: 1000 } } as unknown as RetryPolicyConfig
const status = (code: number): AttemptResult => ({ kind: 'response', response: new Response('body', { status: code }), endpoint: undefined as never })

function setup(slots = 3, replayable = true) {
  const clock = new ManualClock()
  let held = 0
  const budget = {
    tryAcquireRetry: () => (held < slots ? (held++, true) : false),
    releaseRetry: () => void held--,
  }
  const state = new RetryState(policy, budget, { replayable }, { now: () => clock.now(), random: () => 0.5, sleep: (ms) => new Promise((r) => clock.setTimeout(r, ms)) })
  return { state, clock, held: () => held }
}

test('retries until none are left, then says the limit was exceeded', () => {
  const { state } = setup()
  expect([state.decide(status(503)), state.decide(status(503)), state.decide(status(503))]).toEqual(['retry', 'retry', 'limit-exceeded'])
  expect(state.retriesLeft).toBe(0)
})

test('a result retry_on does not name is final, and spends nothing', () => {
  const { state, held } = setup()
  expect(state.decide(status(200))).toBe('no-retry')
  expect([state.retriesLeft, held()]).toEqual([2, 0])
})

test('an unreplayable body is never retried', () => {
  expect(setup(3, false).state.decide(status(503))).toBe('no-retry')
})

test('the budget: no slot, no retry; the slot is held through the backoff and given back after it; the failed body is dropped', async () => {
  expect(setup(0).state.decide(status(503))).toBe('overflow')
  const { state, clock, held } = setup(1)
  const failed = status(503)
  expect(state.decide(failed)).toBe('retry')
  expect(held()).toBe(1)
  const waiting = state.backoff(failed, clock.now() + 10_000)
  // First retry: random 0.5 of (2^1 - 1) × 100 ms.
  await clock.advance(49)
  expect(held()).toBe(1)
  await clock.advance(1)
  await waiting
  expect(held()).toBe(0)
  // The failed attempt's body was cancelled, not left hanging on its connection.
  expect(failed.kind === 'response' && failed.response.bodyUsed).toBe(true)
})

test('the backoff never waits past the deadline', async () => {
  const { state, clock } = setup()
  state.decide(status(503))
  state.decide(status(503))
  const started = clock.now()
  // Second retry would wait 0.5 × 300 ms; the deadline is 20 ms away.
  const waiting = state.backoff(status(503), started + 20)
  await clock.advance(20)
  await waiting
  expect(clock.pending()).toBe(0)
})
