// Many short-lived timers on one runtime timer: the attempts' deadlines (src/proxy/attempt-abort.ts),
// set at every attempt and nearly always cleared a few milliseconds later. On Deno each
// setTimeout/clearTimeout pair costs ~1.4 µs (its timers are Node's, with an async id and a
// Timeout object each); here a pair is a heap insert and removal (~0.1 µs), and the runtime timer
// is armed only when the earliest deadline moves earlier. It fires no later than each deadline (a
// runtime timer left armed for a cleared one fires early, finds nothing due and re-arms).

import type { Clock, TimerHandle } from './clock.ts'

type Entry = { at: number; fn: () => void; index: number }

type RuntimeTimers = {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export class TimerQueue implements Pick<Clock, 'setTimeout' | 'clearTimeout' | 'now'> {
  /** Min-heap on `at`; each entry knows its index, so a clear removes it in O(log n). */
  readonly #heap: Entry[] = []
  #timer: unknown = undefined
  /** When the runtime timer fires; Infinity when none is armed. */
  #timerAt = Infinity
  readonly #fire = () => this.#run()

  /** `now`: a monotonic clock in ms (performance.now); `runtime`: the runtime's own timers. */
  constructor(
    readonly now: () => number,
    private readonly runtime: RuntimeTimers = globalThis,
  ) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const entry: Entry = { at: this.now() + Math.max(0, ms), fn, index: this.#heap.length }
    this.#heap.push(entry)
    this.#up(entry.index)
    if (entry.at < this.#timerAt) this.#arm(entry.at)
    return entry
  }

  clearTimeout(handle: TimerHandle): void {
    const entry = handle as Entry | undefined
    if (entry === undefined || entry.index < 0 || this.#heap[entry.index] !== entry) return
    this.#remove(entry.index)
  }

  /** Timers waiting, for tests. */
  get size(): number {
    return this.#heap.length
  }

  #run(): void {
    this.#timer = undefined
    this.#timerAt = Infinity
    const now = this.now()
    const heap = this.#heap
    let failure: { error: unknown } | undefined
    while (heap.length > 0 && heap[0]!.at <= now) {
      const entry = heap[0]!
      this.#remove(0)
      try {
        entry.fn()
      } catch (error) {
        failure ??= { error }
      }
    }
    if (heap.length > 0) this.#arm(heap[0]!.at)
    // As a runtime timer's callback would: the error is the process's, after the others have run.
    if (failure) throw failure.error
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.runtime.clearTimeout(this.#timer)
    this.#timerAt = at
    // A timer may fire a little before its time on some runtimes: #run re-arms for what is not yet due.
    this.#timer = this.runtime.setTimeout(this.#fire, Math.max(1, Math.ceil(at - this.now())))
  }

  #remove(index: number): void {
    const heap = this.#heap
    const entry = heap[index]!
    entry.index = -1
    const last = heap.pop()!
    if (last === entry) return
    heap[index] = last
    last.index = index
    if (index > 0 && heap[(index - 1) >> 1]!.at > last.at) this.#up(index)
    else this.#down(index)
  }

  #up(index: number): void {
    const heap = this.#heap
    const entry = heap[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]!
      if (parent.at <= entry.at) break
      heap[index] = parent
      parent.index = index
      index = parentIndex
    }
    heap[index] = entry
    entry.index = index
  }

  #down(index: number): void {
    const heap = this.#heap
    const entry = heap[index]!
    const n = heap.length
    for (;;) {
      let child = 2 * index + 1
      if (child >= n) break
      if (child + 1 < n && heap[child + 1]!.at < heap[child]!.at) child++
      const smaller = heap[child]!
      if (smaller.at >= entry.at) break
      heap[index] = smaller
      smaller.index = index
      index = child
    }
    heap[index] = entry
    entry.index = index
  }
}
