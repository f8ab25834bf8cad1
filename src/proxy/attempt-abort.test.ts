import { afterAll, expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { detectRuntime } from '../adapter/detect.ts'
import { abortWatched } from '../http1/abort-watch.ts'
import { wholeBodyOf, wholeBodyResponse } from '../upstream/whole-body.ts'
import { AttemptAbort } from './attempt-abort.ts'
import { proxyFixture } from './proxy.fixture.ts'
import { toResponse } from '../upstream/to-response.ts'

test('a recycled controller serves the next attempt; the recycled attempt gets a fresh one if it asks again', () => {
  const clock = new ManualClock()
  const first = new AttemptAbort(clock)
  first.arm(15_000, clock.now())
  const signal = first.signal
  first.recycle()
  expect(clock.pending()).toBe(0)
  const next = new AttemptAbort(clock)
  expect(next.signal).toBe(signal)
  // A late use of the recycled attempt never reaches the controller it handed on.
  expect(first.signal).not.toBe(signal)
  first.controller.abort()
  expect(next.signal.aborted).toBe(false)
  next.release()
})

test('an aborted controller is not recycled: the next attempt starts unaborted', async () => {
  const clock = new ManualClock()
  const timedOut = new AttemptAbort(clock)
  timedOut.arm(10, clock.now())
  await clock.advance(10)
  expect([timedOut.timedOut, timedOut.signal.aborted]).toEqual([true, true])
  const aborted = timedOut.signal
  timedOut.recycle()
  const next = new AttemptAbort(clock)
  expect(next.signal).not.toBe(aborted)
  expect(next.signal.aborted).toBe(false)
  next.release()
})

test('through the proxy: a whole-body answer hands its controller to the next request; a timed-out attempt does not', async () => {
  let hang = false
  const f = proxyFixture({
    route: 'timeout: 1s',
    upstream: (request) => (hang ? new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason))) : wholeBodyResponse(new TextEncoder().encode('ok'), { headers: { 'content-length': '2' } })),
  })
  expect((await f.read()).text).toBe('ok')
  expect((await f.read()).text).toBe('ok')
  const [one, two] = f.fetched.map((x) => x.request.signal)
  expect(two).toBe(one!)
  hang = true
  const timedOut = f.read()
  await f.clock.advance(1_000)
  expect((await timedOut).status).toBe(504)
  hang = false
  expect((await f.read()).text).toBe('ok')
  const [, , cut, after] = f.fetched.map((x) => x.request.signal)
  expect(cut).toBe(one!)
  expect(cut!.aborted).toBe(true)
  expect(after).not.toBe(cut!)
  expect(after!.aborted).toBe(false)
})

// What recycle() relies on: once the shipped HTTP/1.1 client hands over a whole-body Response, no
// exchange follows the signal any more (a real upstream on loopback). The client leaves one shared
// listener on a signal it has seen, which reaches only the exchange using the signal at the time
// (src/http1/abort-watch.ts), so a recycled controller's abort cannot reach a finished exchange.
const upstream = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('small body') })
afterAll(() => upstream.stop(true))

test("the HTTP/1.1 client leaves no exchange on the signal once a whole-body Response is handed over", async () => {
  const runtime = await detectRuntime()
  const controller = new AbortController()
  const signal = controller.signal
  const listening = new Set<unknown>()
  let added = 0
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject) => (added++, listening.add(listener), add(type, listener))) as typeof signal.addEventListener
  signal.removeEventListener = ((type: string, listener: EventListenerOrEventListenerObject) => (listening.delete(listener), remove(type, listener))) as typeof signal.removeEventListener
  const url = `http://127.0.0.1:${upstream.port}/`
  const addedBy: number[] = []
  for (let i = 0; i < 3; i++) {
    const response = await runtime.upstreamFetch({ url, method: 'GET', headers: new Headers({ host: 'upstream' }), body: null, signal })
    expect(wholeBodyOf(response)).toBeDefined()
    expect(abortWatched(signal)).toBe(false)
    expect(listening.size).toBe(1) // the shared one, added once
    expect(await toResponse(response).text()).toBe('small body')
    addedBy.push(added)
  }
  // The first exchange also waited for its connection (the pool's wait follows the signal too); the others added nothing.
  expect([addedBy[1], addedBy[2]]).toEqual([addedBy[0], addedBy[0]])
  // As a later attempt's abort would: nothing of the finished exchanges hears it; the pooled connection serves on.
  controller.abort()
  const next = await runtime.upstreamFetch({ url, method: 'GET', headers: new Headers({ host: 'upstream' }), body: null, signal: new AbortController().signal })
  expect(await toResponse(next).text()).toBe('small body')
})
