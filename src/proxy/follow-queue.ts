// The follow points of the attempts in flight (attempt-abort.ts), on one timer instead of one each.
// Every attempt's follow point is the same FOLLOW_CLIENT_AFTER_MS after its start, so they fall due
// in the order they were added: a FIFO, with the timer set for its head. Most attempts end before
// their point: they leave the queue at once, unlinked from it (the entries are a doubly linked
// list through the entries themselves: no array to grow, and an ended attempt is not held until
// the timer comes, ~50 ms, long enough to outlive a young-generation collection); the timer is
// cleared once none waits, so nothing is left behind. Saves a setTimeout, a clearTimeout, the timer
// object and its closure per attempt (the route deadline, usually 15 s away, needs a timer only for
// an attempt still running at its follow point).

import type { Clock, TimerHandle } from '../upstream/clock.ts'

export type FollowTimers = Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'>

/** What the queue calls back: an attempt whose follow point has come. */
export interface FollowEntry {
  followPointReached(now: number): void
  /** The queue's own fields (its links and the entry's due time): written by the queue alone. */
  followDue: number
  followPrev: FollowEntry | undefined
  followNext: FollowEntry | undefined
}

export class FollowQueue {
  #head: FollowEntry | undefined = undefined
  #tail: FollowEntry | undefined = undefined
  #timer: TimerHandle | undefined = undefined
  readonly #fire = () => this.#due()

  constructor(private readonly timers: FollowTimers) {}

  /** `due` is never earlier than a due added before (the same delay from a later now). Not already queued. */
  add(entry: FollowEntry, due: number, now: number): void {
    entry.followDue = due
    entry.followNext = undefined
    entry.followPrev = this.#tail
    if (this.#tail === undefined) this.#head = entry
    else this.#tail.followNext = entry
    this.#tail = entry
    if (this.#timer === undefined) this.#timer = this.timers.setTimeout(this.#fire, Math.max(1, due - now))
  }

  /** A queued entry leaves (its attempt ended or no longer follows); with none waiting the timer goes. */
  remove(entry: FollowEntry): void {
    // Not queued (no predecessor and not the head): unlinking it would cut the queue at its head.
    if (entry.followPrev === undefined && this.#head !== entry) return
    this.#unlink(entry)
    if (this.#head !== undefined || this.#timer === undefined) return
    this.timers.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #unlink(entry: FollowEntry): void {
    const { followPrev: prev, followNext: next } = entry
    if (prev === undefined) this.#head = next
    else prev.followNext = next
    if (next === undefined) this.#tail = prev
    else next.followPrev = prev
    entry.followPrev = entry.followNext = undefined
  }

  #due(): void {
    this.#timer = undefined
    const now = this.timers.now()
    let entry = this.#head
    while (entry !== undefined && entry.followDue <= now) {
      this.#unlink(entry)
      entry.followPointReached(now)
      entry = this.#head
    }
    // An entry reached above may have started a timer by adding (an attempt begun meanwhile).
    if (entry === undefined || this.#timer !== undefined) return
    this.#timer = this.timers.setTimeout(this.#fire, Math.max(1, entry.followDue - now))
  }
}

const queues = new WeakMap<FollowTimers, FollowQueue>()

/** The last clock asked for and its queue: a process has one attempt clock (twice an attempt, no WeakMap lookup). */
let lastTimers: FollowTimers | undefined
let lastQueue: FollowQueue | undefined

/** One queue per clock (a listener's handler has one). */
export function followQueueOf(timers: FollowTimers): FollowQueue {
  if (timers === lastTimers) return lastQueue!
  let queue = queues.get(timers)
  if (!queue) queues.set(timers, (queue = new FollowQueue(timers)))
  lastTimers = timers
  lastQueue = queue
  return queue
}
