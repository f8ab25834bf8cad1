// A downstream connection's one timer: the idle timeout between requests and the head-read
// timeout (slowloris) share it, since a connection waits for at most one of them at a time.

export type ConnectionTimers = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(timer: unknown): void
}

export class ConnectionTimer {
  readonly #timers: ConnectionTimers
  readonly #expired: () => void
  #timer: unknown = undefined

  constructor(timers: ConnectionTimers, expired: () => void) {
    this.#timers = timers
    this.#expired = expired
  }

  /** (Re)starts the timer: `expired` in `ms` unless armed again or disarmed first. */
  arm(ms: number): void {
    this.disarm()
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined
      this.#expired()
    }, ms)
  }

  disarm(): void {
    if (this.#timer === undefined) return
    this.#timers.clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
