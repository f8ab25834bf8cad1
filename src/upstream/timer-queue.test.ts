import { describe, expect, test } from 'bun:test'
import { TimerQueue } from './timer-queue.ts'

/** A hand-driven clock and runtime timer table: advance() fires what is due, in time order. */
function fakeRuntime() {
  let now = 0
  let nextId = 1
  const pending = new Map<number, { at: number; fn: () => void }>()
  const runtime = {
    setCalls: 0,
    setTimeout(fn: () => void, ms: number) {
      runtime.setCalls++
      const id = nextId++
      pending.set(id, { at: now + ms, fn })
      return id
    },
    clearTimeout(id: unknown) {
      pending.delete(id as number)
    },
  }
  return {
    runtime,
    now: () => now,
    pending: () => pending.size,
    advance(ms: number) {
      const until = now + ms
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        pending.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = until
    },
    /** A runtime timer that fires before its time (allowed by some runtimes). */
    fireAllNow() {
      for (const [id, t] of [...pending]) {
        pending.delete(id)
        t.fn()
      }
    },
  }
}

describe('TimerQueue', () => {
  test('fires each callback at its time, in time order, not before', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    const fired: string[] = []
    queue.setTimeout(() => fired.push(`c@${clock.now()}`), 30)
    queue.setTimeout(() => fired.push(`a@${clock.now()}`), 10)
    queue.setTimeout(() => fired.push(`b@${clock.now()}`), 20)
    clock.advance(9)
    expect(fired).toEqual([])
    clock.advance(100)
    expect(fired).toEqual(['a@10', 'b@20', 'c@30'])
    expect(queue.size).toBe(0)
  })

  test('a cleared timer never fires; clearing twice or clearing a fired one is harmless', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    const fired: number[] = []
    const handles = [5, 1, 4, 2, 3].map((ms) => queue.setTimeout(() => fired.push(ms), ms))
    queue.clearTimeout(handles[2]) // 4
    queue.clearTimeout(handles[2])
    queue.clearTimeout(handles[1]) // 1, the earliest
    clock.advance(10)
    expect(fired).toEqual([2, 3, 5])
    queue.clearTimeout(handles[0])
    queue.clearTimeout(undefined)
    expect(queue.size).toBe(0)
  })

  test('set-and-cleared deadlines later than the armed one arm no runtime timer', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    for (let i = 0; i < 1000; i++) {
      const handle = queue.setTimeout(() => {}, 50)
      clock.advance(0.01)
      queue.clearTimeout(handle)
    }
    // The first deadline armed it; every later one is later than that.
    expect(clock.runtime.setCalls).toBe(1)
    expect(queue.size).toBe(0)
    // It fires for nothing, finds nothing due and arms nothing more.
    clock.advance(100)
    expect(clock.pending()).toBe(0)
    expect(clock.runtime.setCalls).toBe(1)
  })

  test('an earlier deadline re-arms the runtime timer; an early runtime wake-up fires nothing not due', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    const fired: number[] = []
    queue.setTimeout(() => fired.push(100), 100)
    queue.setTimeout(() => fired.push(10), 10)
    expect(clock.pending()).toBe(1)
    clock.fireAllNow()
    expect(fired).toEqual([])
    expect(clock.pending()).toBe(1)
    clock.advance(10)
    expect(fired).toEqual([10])
    clock.advance(90)
    expect(fired).toEqual([10, 100])
  })

  test('a callback that throws does not keep the others from running; the error is rethrown', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    const fired: number[] = []
    queue.setTimeout(() => {
      throw new Error('boom')
    }, 5)
    queue.setTimeout(() => fired.push(5), 5)
    queue.setTimeout(() => fired.push(50), 50)
    expect(() => clock.advance(5)).toThrow('boom')
    expect(fired).toEqual([5])
    clock.advance(100)
    expect(fired).toEqual([5, 50])
  })

  test('random sets and clears keep heap order (checked against a sorted list)', () => {
    const clock = fakeRuntime()
    const queue = new TimerQueue(clock.now, clock.runtime)
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const live = new Map<unknown, number>()
    const fired: number[] = []
    for (let i = 0; i < 2000; i++) {
      if (live.size > 0 && random() < 0.4) {
        const handles = [...live.keys()]
        const handle = handles[Math.floor(random() * handles.length)]
        queue.clearTimeout(handle)
        live.delete(handle)
      } else {
        const at = Math.floor(random() * 1000)
        const handle = queue.setTimeout(() => fired.push(at), at)
        live.set(handle, at)
      }
    }
    clock.advance(2000)
    expect(fired).toEqual([...live.values()].sort((a, b) => a - b))
  })
})
