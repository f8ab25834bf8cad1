import { expect, test } from 'bun:test'
import { RestartBackoff } from './restart-backoff.ts'

const policy = { initialDelayMs: 100, maxDelayMs: 500, stableAfterMs: 10_000 }

test('quick deaths double the delay up to the cap', () => {
  const backoff = new RestartBackoff(policy)
  expect([0, 10, 10, 10, 10, 10].map((healthyMs) => backoff.next(healthyMs))).toEqual([100, 200, 400, 500, 500, 500])
})

test('a process stable long enough restarts at the initial delay again', () => {
  const backoff = new RestartBackoff(policy)
  expect([backoff.next(0), backoff.next(0), backoff.next(10_000), backoff.next(9_999)]).toEqual([100, 200, 100, 200])
})

test('each process keeps its own history', () => {
  const a = new RestartBackoff(policy)
  const b = new RestartBackoff(policy)
  a.next(0)
  a.next(0)
  expect([a.next(0), b.next(0)]).toEqual([400, 100])
})
