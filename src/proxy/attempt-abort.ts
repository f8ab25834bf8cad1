// What ends an upstream call early: its deadline or the client leaving. One AbortController per
// attempt, one timer, and this object is itself the client signal's listener (handleEvent), so an
// attempt allocates no closures for it. After the response head the route's deadline keeps running
// on the same controller until the body has been read or streamed: aborting the upstream call is how
// the whole-response timeout cuts a body, so a body needs no timer of its own.
//
// The client is followed only once a call has lasted FOLLOW_CLIENT_AFTER_MS: most calls end sooner,
// and Bun builds a request's signal on its first read (with the listener, ~1 µs of a small request's
// ~10 µs of proxy work). A signal read late still reports a client that left earlier (aborted).

import type { Clock, TimerHandle } from '../upstream/clock.ts'

/** How long a call runs before the client's signal is watched; a client leaving is noticed this late at worst. */
export const FOLLOW_CLIENT_AFTER_MS = 50

/** The downstream request (its `signal` is read only when followed). */
export type Downstream = { readonly signal: AbortSignal }

export class AttemptAbort {
  readonly controller = new AbortController()
  /** Called once the deadline has aborted the call (a streamed body cuts the client's side at once). */
  onExpire: (() => void) | undefined = undefined
  #timer: TimerHandle | undefined = undefined
  #timedOut = false
  #following: AbortSignal | undefined = undefined
  #client: Downstream | undefined = undefined
  #followTimer: TimerHandle | undefined = undefined
  readonly #follow = () => {
    this.#followTimer = undefined
    const signal = this.#client!.signal
    this.#client = undefined
    if (signal.aborted) return this.controller.abort()
    this.#following = signal
    signal.addEventListener('abort', this)
  }
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

  /** Aborts when the client's request signal does, watched from FOLLOW_CLIENT_AFTER_MS on (until unfollow()). */
  follow(client: Downstream | undefined): void {
    if (!client) return
    this.#client = client
    this.#followTimer = this.timers.setTimeout(this.#follow, FOLLOW_CLIENT_AFTER_MS)
  }

  unfollow(): void {
    if (this.#followTimer !== undefined) {
      this.timers.clearTimeout(this.#followTimer)
      this.#followTimer = undefined
      this.#client = undefined
    }
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
