// A Clock driven by hand: timers fire only when a test advances time, in due order, with
// pending promise callbacks flushed between them so async refresh loops make progress.

import type { Clock, TimerHandle } from '../../src/upstream/clock.ts'

type Timer = { readonly id: number; readonly dueMs: number; readonly fn: () => void }

export class ManualClock implements Clock {
  #nowMs: number
  #nextId = 1
  #timers: Timer[] = []

  constructor(startMs = 1_000_000) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, dueMs: this.#nowMs + Math.max(0, ms), fn }
    this.#timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle)
  }

  /** Timers not yet fired or cleared. */
  pending(): number {
    return this.#timers.length
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (including ones they set). */
  async advance(ms: number): Promise<void> {
    const endMs = this.#nowMs + ms
    await flush()
    for (;;) {
      const due = this.#timers.filter((t) => t.dueMs <= endMs).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0]
      if (!due) break
      this.#timers = this.#timers.filter((t) => t !== due)
      this.#nowMs = due.dueMs
      due.fn()
      await flush()
    }
    this.#nowMs = endMs
  }
}

/** Lets queued promise continuations run (a macrotask turn drains every microtask). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
