// What ends an upstream call early: its deadline or the client leaving. One AbortController per
// attempt, one timer, and this object is itself the client signal's listener (handleEvent), so an
// attempt allocates no closures for it. After the response head the route's deadline keeps running
// on the same controller until the body has been read or streamed: aborting the upstream call is how
// the whole-response timeout cuts a body, so a body needs no timer of its own.

import type { Clock, TimerHandle } from '../upstream/clock.ts'

export class AttemptAbort {
  readonly controller = new AbortController()
  /** Called once the deadline has aborted the call (a streamed body cuts the client's side at once). */
  onExpire: (() => void) | undefined = undefined
  #timer: TimerHandle | undefined = undefined
  #timedOut = false
  #following: AbortSignal | undefined = undefined
  readonly #expire = () => {
    this.#timer = undefined
    this.#timedOut = true
    this.controller.abort()
    this.onExpire?.()
  }

  constructor(private readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** The deadline, not the client, ended the call. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /** Aborts `ms` from now, replacing an earlier deadline; Infinity for none. */
  arm(ms: number): void {
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer)
    this.#timer = Number.isFinite(ms) ? this.timers.setTimeout(this.#expire, Math.max(1, ms)) : undefined
  }

  /** Aborts when the client's request signal does (until unfollow()). */
  follow(signal: AbortSignal | undefined): void {
    if (!signal) return
    this.#following = signal
    signal.addEventListener('abort', this)
  }

  unfollow(): void {
    this.#following?.removeEventListener('abort', this)
    this.#following = undefined
  }

  /** The client's signal fired (EventListener interface: no closure per attempt). */
  handleEvent(): void {
    this.controller.abort()
  }

  /** The call is over (failed, or its body is done): no timer, no listener left behind. */
  release(): void {
    this.arm(Infinity)
    this.unfollow()
    this.onExpire = undefined
  }
}
