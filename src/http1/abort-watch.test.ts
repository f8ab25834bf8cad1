import { expect, test } from 'bun:test'
import { abortWatched, unwatchAbort, watchAbort } from './abort-watch.ts'

/** A signal whose listeners are counted, and watchers that record the aborts they hear. */
function counted() {
  const controller = new AbortController()
  const signal = controller.signal
  let added = 0
  let removed = 0
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((type: string, l: EventListenerOrEventListenerObject) => (added++, add(type, l))) as typeof signal.addEventListener
  signal.removeEventListener = ((type: string, l: EventListenerOrEventListenerObject) => (removed++, remove(type, l))) as typeof signal.removeEventListener
  return { controller, signal, counts: () => [added, removed] }
}
const watcher = (heard: string[], name: string): EventListenerObject => ({ handleEvent: () => void heard.push(name) })

test('one listener for every exchange that follows a signal in turn; an abort reaches only the one following it then', () => {
  const { controller, signal, counts } = counted()
  const heard: string[] = []
  for (const name of ['a', 'b', 'c']) {
    const w = watcher(heard, name)
    expect(watchAbort(signal, w)).toBe(true)
    expect(abortWatched(signal)).toBe(true)
    unwatchAbort(signal, w, true)
    expect(abortWatched(signal)).toBe(false)
  }
  expect(counts()).toEqual([1, 0])
  const d = watcher(heard, 'd')
  const slotted = watchAbort(signal, d)
  controller.abort()
  unwatchAbort(signal, d, slotted)
  expect(heard).toEqual(['d'])
})

test('an abort with no exchange following reaches nothing', () => {
  const { controller, signal } = counted()
  const heard: string[] = []
  const w = watcher(heard, 'a')
  unwatchAbort(signal, w, watchAbort(signal, w))
  controller.abort()
  expect(heard).toEqual([])
})

test('two exchanges on one signal at once: the second is a listener of its own, and both hear the abort', () => {
  const { controller, signal, counts } = counted()
  const heard: string[] = []
  const a = watcher(heard, 'a')
  const b = watcher(heard, 'b')
  expect(watchAbort(signal, a)).toBe(true)
  expect(watchAbort(signal, b)).toBe(false)
  controller.abort()
  expect(heard.sort()).toEqual(['a', 'b'])
  unwatchAbort(signal, b, false)
  unwatchAbort(signal, a, true)
  expect(counts()).toEqual([2, 1])
  expect(abortWatched(signal)).toBe(false)
})

test('the second, once ended, is removed; the first still hears an abort', () => {
  const { controller, signal } = counted()
  const heard: string[] = []
  const a = watcher(heard, 'a')
  const b = watcher(heard, 'b')
  watchAbort(signal, a)
  unwatchAbort(signal, b, watchAbort(signal, b))
  controller.abort()
  expect(heard).toEqual(['a'])
})
