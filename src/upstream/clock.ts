// Time as a dependency: the upstream layer schedules DNS refreshes, health checks and un-ejections
// through a Clock so unit tests can drive time by hand (test/support/manual-clock.ts).

export type TimerHandle = unknown

export interface Clock {
  /** Milliseconds, same epoch as Date.now(). */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms)
    // A refresh or health-check timer alone must not keep the process alive (Node/Bun/Deno all accept unref).
    ;(handle as { unref?: () => void }).unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
