// What ends an upstream call early: its deadline or the client leaving. One AbortController per
// attempt, and this object is itself the client signal's listener (handleEvent), so an
// attempt allocates no closures for it. After the response head the route's deadline keeps running
// on the same controller until the body has been read or streamed: aborting the upstream call is how
// the whole-response timeout cuts a body, so a body needs no timer of its own.
//
// The client is followed only once a call has lasted FOLLOW_CLIENT_AFTER_MS: most calls end sooner,
// and Bun builds a request's signal on its first read (with the listener, ~1 µs of a small request's
// ~10 µs of proxy work). A signal read late still reports a client that left earlier (aborted).
// The follow points of all attempts share one timer (follow-queue.ts); an attempt gets a timer of its
// own for its deadline only when that comes first, or once its follow point has passed (on Deno a
// timer costs ~2 µs; on Bun a setTimeout and clearTimeout per attempt were ~3 % of a small request).
//
// An attempt whose exchange is over and whose controller never aborted hands the controller back
// (recycle()): the next attempt takes it instead of a new AbortController and its signal (~5 % of a
// small request's in-process profile, and two objects the GC no longer sees per request). Only a
// caller that knows nothing holds the signal any more may recycle: the HTTP/1.1 client's whole-body
// Response is made after its exchange stopped following the signal (the client's one shared listener
// stays, reaching only an exchange using the signal at the time: src/http1/abort-watch.ts).

import type { Clock, TimerHandle } from '../upstream/clock.ts'
import { followQueueOf, type FollowEntry } from './follow-queue.ts'

/** How long a call runs before the client's signal is watched; a client leaving is noticed this late at worst. */
export const FOLLOW_CLIENT_AFTER_MS = 50

/** The downstream request (its `signal` is read only when followed). */
export type Downstream = { readonly signal: AbortSignal }

export type AbortTimers = Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'>

/** Controllers of finished attempts that never aborted, followed by nothing of theirs; taken before making new ones. */
const spare: AbortController[] = []
/** Bounded: a burst's leftovers are not kept forever (a few per request in flight is all that is reused). */
const SPARE_MAX = 1024

export class AttemptAbort implements FollowEntry {
  #controller: AbortController | undefined = spare.pop() ?? new AbortController()
  /** Called once the deadline has aborted the call (a streamed body cuts the client's side at once). */
  onExpire: (() => void) | undefined = undefined
  /** The deadline's own timer: only when it comes before the follow point, or once that is past. */
  #timer: TimerHandle | undefined = undefined
  #timerAt = Infinity
  #deadlineAt = Infinity
  #timedOut = false
  /** Waiting to be followed from its follow point on (in the follow queue until then). */
  #client: Downstream | undefined = undefined
  #queued = false
  #followAt = Infinity
  #following: AbortSignal | undefined = undefined
  #fire: (() => void) | undefined = undefined
  /** The follow queue's links (FollowEntry): written by the queue alone. */
  followDue = Infinity
  followPrev: FollowEntry | undefined = undefined
  followNext: FollowEntry | undefined = undefined

  constructor(private readonly timers: AbortTimers) {}

  get controller(): AbortController {
    // Only after recycle(): a later use gets a controller of its own.
    return (this.#controller ??= spare.pop() ?? new AbortController())
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** The deadline, not the client, ended the call. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /** Aborts `ms` from now, replacing an earlier deadline; Infinity for none. `now`: the caller's clock read, if it has one. */
  arm(ms: number, now = this.timers.now()): void {
    this.#deadlineAt = Number.isFinite(ms) ? now + Math.max(1, ms) : Infinity
    this.#schedule(now)
  }

  /** Aborts when the client's request signal does, watched from FOLLOW_CLIENT_AFTER_MS on (until unfollow()). */
  follow(client: Downstream | undefined, now = this.timers.now()): void {
    if (!client) return
    this.#client = client
    const queue = followQueueOf(this.timers)
    // Followed again while queued: one place in the queue, at the new point.
    if (this.#queued) queue.remove(this)
    this.#queued = true
    this.#followAt = now + FOLLOW_CLIENT_AFTER_MS
    queue.add(this, this.#followAt, now)
    this.#schedule(now)
  }

  unfollow(): void {
    this.#client = undefined
    this.#following?.removeEventListener('abort', this)
    this.#following = undefined
    // Only the deadline is left; the follow point may stay queued: the deadline's timer is set when it comes.
  }

  /** The follow point came (FollowEntry): watch the client if still waiting, then the deadline alone. */
  followPointReached(now: number): void {
    this.#queued = false
    if (this.#client) this.#followClient()
    if (now >= this.#deadlineAt) return this.#expire()
    this.#schedule(now)
  }

  /** The client's signal fired (EventListener interface: no closure per attempt). */
  handleEvent(): void {
    this.controller.abort()
  }

  /** The call is over (failed, or its body is done): no timer, no listener, no queue entry left behind. */
  release(): void {
    this.#deadlineAt = Infinity
    this.unfollow()
    if (this.#queued) {
      this.#queued = false
      followQueueOf(this.timers).remove(this)
    }
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
    this.onExpire = undefined
  }

  /**
   * release(), and the controller goes back for a later attempt unless it aborted. Only when
   * nothing holds its signal any more (the upstream exchange is over and no longer follows it).
   */
  recycle(): void {
    this.release()
    const controller = this.#controller
    this.#controller = undefined
    if (controller !== undefined && !controller.signal.aborted && spare.length < SPARE_MAX) spare.push(controller)
  }

  /** The deadline's timer, unless the queued follow point comes first (it schedules the deadline then). */
  #schedule(now: number): void {
    const at = this.#queued && this.#deadlineAt >= this.#followAt ? Infinity : this.#deadlineAt
    if (at === this.#timerAt) return
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timerAt = at
    this.#timer = at === Infinity ? undefined : this.timers.setTimeout((this.#fire ??= () => this.#deadlineDue()), Math.max(1, at - now))
  }

  #deadlineDue(): void {
    this.#timer = undefined
    this.#timerAt = Infinity
    const now = this.timers.now()
    if (now >= this.#deadlineAt) return this.#expire()
    this.#schedule(now)
  }

  #followClient(): void {
    const signal = this.#client!.signal
    this.#client = undefined
    if (signal.aborted) return this.controller.abort()
    this.#following = signal
    signal.addEventListener('abort', this)
  }

  #expire(): void {
    this.#timedOut = true
    this.controller.abort()
    this.onExpire?.()
  }
}
