// What ends an upstream call early: its deadline or the client leaving. One AbortController per
// attempt, one timer, and this object is itself the client signal's listener (handleEvent), so an
// attempt allocates no closures for it. After the response head the route's deadline keeps running
// on the same controller until the body has been read or streamed: aborting the upstream call is how
// the whole-response timeout cuts a body, so a body needs no timer of its own.
//
// The client is followed only once a call has lasted FOLLOW_CLIENT_AFTER_MS: most calls end sooner,
// and Bun builds a request's signal on its first read (with the listener, ~1 µs of a small request's
// ~10 µs of proxy work). A signal read late still reports a client that left earlier (aborted).
// The one timer serves both: it fires at the follow point first, then at the deadline (on Deno a
// timer costs ~2 µs, so a second one would cost more than the signal saves).

import type { Clock, TimerHandle } from '../upstream/clock.ts'

/** How long a call runs before the client's signal is watched; a client leaving is noticed this late at worst. */
export const FOLLOW_CLIENT_AFTER_MS = 50

/** The downstream request (its `signal` is read only when followed). */
export type Downstream = { readonly signal: AbortSignal }

export type AbortTimers = Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'>

export class AttemptAbort {
  readonly controller = new AbortController()
  /** Called once the deadline has aborted the call (a streamed body cuts the client's side at once). */
  onExpire: (() => void) | undefined = undefined
  #timer: TimerHandle | undefined = undefined
  #timerAt = Infinity
  #deadlineAt = Infinity
  #timedOut = false
  /** Waiting to be followed from #followAt on. */
  #client: Downstream | undefined = undefined
  #followAt = Infinity
  #following: AbortSignal | undefined = undefined
  readonly #fire = () => {
    this.#timer = undefined
    this.#timerAt = Infinity
    const now = this.timers.now()
    if (this.#client && now >= this.#followAt) this.#followClient()
    if (now >= this.#deadlineAt) return this.#expire()
    this.#schedule(now)
  }

  constructor(private readonly timers: AbortTimers) {}

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
    this.#followAt = now + FOLLOW_CLIENT_AFTER_MS
    this.#schedule(now)
  }

  unfollow(): void {
    this.#client = undefined
    this.#followAt = Infinity
    this.#following?.removeEventListener('abort', this)
    this.#following = undefined
    // Only the deadline is left; a timer set for the follow point may stay: it re-arms when it fires.
  }

  /** The client's signal fired (EventListener interface: no closure per attempt). */
  handleEvent(): void {
    this.controller.abort()
  }

  /** The call is over (failed, or its body is done): no timer, no listener left behind. */
  release(): void {
    this.#deadlineAt = Infinity
    this.unfollow()
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
    this.onExpire = undefined
  }

  /** One timer, at the earlier of the follow point and the deadline. */
  #schedule(now: number): void {
    const at = Math.min(this.#deadlineAt, this.#client ? this.#followAt : Infinity)
    if (at === this.#timerAt) return
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timerAt = at
    this.#timer = at === Infinity ? undefined : this.timers.setTimeout(this.#fire, Math.max(1, at - now))
  }

  #followClient(): void {
    const signal = this.#client!.signal
    this.#client = undefined
    this.#followAt = Infinity
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
