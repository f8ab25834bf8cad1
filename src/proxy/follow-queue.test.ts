import { expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { AttemptAbort, FOLLOW_CLIENT_AFTER_MS } from './attempt-abort.ts'
import { FollowQueue, type FollowEntry } from './follow-queue.ts'

/** An attempt as the forward loop starts one: follow the client, then the route deadline. */
function start(clock: ManualClock, client: AbortController, deadlineMs = 15_000): AttemptAbort {
  const abort = new AttemptAbort(clock)
  abort.follow(client, clock.now())
  abort.arm(deadlineMs, clock.now())
  return abort
}

test('attempts in flight share one timer for their follow points; none is left once they end', async () => {
  const clock = new ManualClock()
  const attempts = Array.from({ length: 5 }, () => start(clock, new AbortController()))
  expect(clock.pending()).toBe(1)
  for (const abort of attempts) abort.release()
  expect(clock.pending()).toBe(0)
})

test('an attempt still running at its follow point watches its client and gets a timer for its deadline; the ended ones are skipped', async () => {
  const clock = new ManualClock()
  const ended = start(clock, new AbortController())
  await clock.advance(10)
  const client = new AbortController()
  const running = start(clock, client)
  ended.release()
  await clock.advance(FOLLOW_CLIENT_AFTER_MS)
  // The follow points are past: only the running attempt's deadline timer is left.
  expect(clock.pending()).toBe(1)
  client.abort()
  expect([running.signal.aborted, running.timedOut]).toEqual([true, false])
  running.release()
  expect(clock.pending()).toBe(0)
})

test('a deadline before the follow point has its own timer; the follow point of a later attempt still comes', async () => {
  const clock = new ManualClock()
  const short = start(clock, new AbortController(), 20)
  const client = new AbortController()
  const long = start(clock, client)
  await clock.advance(20)
  expect([short.timedOut, short.signal.aborted]).toEqual([true, true])
  short.release()
  client.abort()
  // Not followed yet: a client leaving is noticed at the follow point.
  expect(long.signal.aborted).toBe(false)
  await clock.advance(FOLLOW_CLIENT_AFTER_MS)
  expect([long.signal.aborted, long.timedOut]).toEqual([true, false])
  long.release()
  expect(clock.pending()).toBe(0)
})

test('a deadline past the follow point still expires, from the timer the follow point set', async () => {
  const clock = new ManualClock()
  const abort = start(clock, new AbortController(), 200)
  abort.unfollow()
  await clock.advance(199)
  expect(abort.timedOut).toBe(false)
  await clock.advance(1)
  expect([abort.timedOut, abort.signal.aborted]).toEqual([true, true])
  abort.release()
  expect(clock.pending()).toBe(0)
})

test('an attempt followed again while queued holds one place: once it ends, no timer is left', async () => {
  const clock = new ManualClock()
  const other = start(clock, new AbortController())
  const abort = start(clock, new AbortController())
  await clock.advance(10)
  abort.follow(new AbortController(), clock.now())
  other.release()
  abort.release()
  expect(clock.pending()).toBe(0)
  // The queue still serves the attempts after them.
  const client = new AbortController()
  const later = start(clock, client)
  await clock.advance(FOLLOW_CLIENT_AFTER_MS)
  client.abort()
  expect(later.signal.aborted).toBe(true)
  later.release()
  expect(clock.pending()).toBe(0)
})

test('removing an entry that is not queued (its point came already) leaves the others queued', async () => {
  const clock = new ManualClock()
  const queue = new FollowQueue(clock)
  const reached: string[] = []
  const entry = (name: string): FollowEntry => ({ followDue: 0, followPrev: undefined, followNext: undefined, followPointReached: () => void reached.push(name) })
  const early = entry('early')
  queue.add(early, 10, clock.now())
  await clock.advance(10)
  const later = [entry('a'), entry('b')]
  for (const e of later) queue.add(e, clock.now() + 10, clock.now())
  queue.remove(early)
  await clock.advance(10)
  expect(reached).toEqual(['early', 'a', 'b'])
  expect(clock.pending()).toBe(0)
})
