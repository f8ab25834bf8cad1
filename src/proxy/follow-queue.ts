// The follow points of the attempts in flight (attempt-abort.ts), on one timer instead of one each.
// Every attempt's follow point is the same FOLLOW_CLIENT_AFTER_MS after its start, so they fall due
// in the order they were added: a FIFO, with the timer set for its head. Most attempts end before
// their point: they leave the queue by a flag (no search) and their entry is skipped when reached;
// the timer is cleared once none waits, so nothing is left behind. Saves a setTimeout, a
// clearTimeout, the timer object and its closure per attempt (the route deadline, usually 15 s
// away, needs a timer only for an attempt still running at its follow point).

import type { Clock, TimerHandle } from '../upstream/clock.ts'

export type FollowTimers = Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'>

/** What the queue calls back: an attempt whose follow point has come (unless it left the queue). */
export interface FollowEntry {
  /** True while the entry waits in the queue. */
  readonly queued: boolean
  followPointReached(now: number): void
}

export class FollowQueue {
  #entries: (FollowEntry | undefined)[] = []
  #dues: number[] = []
  #head = 0
  #waiting = 0
  #timer: TimerHandle | undefined = undefined
  readonly #fire = () => this.#due()

  constructor(private readonly timers: FollowTimers) {}

  /** `due` is never earlier than a due added before (the same delay from a later now). */
  add(entry: FollowEntry, due: number, now: number): void {
    this.#entries.push(entry)
    this.#dues.push(due)
    this.#waiting++
    if (this.#timer === undefined) this.#timer = this.timers.setTimeout(this.#fire, Math.max(1, due - now))
  }

  /** An entry left (its attempt ended or no longer follows); with none waiting the timer goes. */
  left(): void {
    if (--this.#waiting > 0) return
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#entries = []
    this.#dues = []
    this.#head = 0
  }

  #due(): void {
    this.#timer = undefined
    const now = this.timers.now()
    while (this.#head < this.#entries.length && this.#dues[this.#head]! <= now) {
      const entry = this.#entries[this.#head]!
      this.#entries[this.#head++] = undefined
      if (!entry.queued) continue
      this.#waiting--
      entry.followPointReached(now)
    }
    // Entries that left are skipped here too, so the timer is set for one still waiting.
    while (this.#head < this.#entries.length && !this.#entries[this.#head]!.queued) this.#entries[this.#head++] = undefined
    if (this.#head >= this.#entries.length) {
      this.#entries = []
      this.#dues = []
      this.#head = 0
      return
    }
    // An entry reached above may have started a timer by adding (an attempt begun meanwhile).
    if (this.#timer !== undefined) return
    if (this.#head > 1024) {
      this.#entries = this.#entries.slice(this.#head)
      this.#dues = this.#dues.slice(this.#head)
      this.#head = 0
    }
    this.#timer = this.timers.setTimeout(this.#fire, Math.max(1, this.#dues[this.#head]! - now))
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
