import { expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import type { ProxyResponse, UpstreamRequest } from '../runtime.ts'
import { Endpoint } from '../upstream/endpoint.ts'
import { FOLLOW_CLIENT_AFTER_MS } from './attempt-abort.ts'
import { runAttempt, type Attempt } from './attempt.ts'
import { UpstreamFields } from './headers/upstream-fields.ts'
import { hanging, upstreamFailure } from './proxy.fixture.ts'

const endpoint = new Endpoint('10.0.0.1', 8080)
const attempt = (overrides: Partial<Attempt> = {}): Attempt => ({
  number: 1,
  endpoint,
  startedAt: 0,
  method: 'GET',
  path: '/service/1?x=1',
  fields: new UpstreamFields(new Headers({ host: 'edge' })),
  body: null,
  timeoutMs: 100,
  perTry: false,
  connectTimeoutMs: 250,
  downstream: undefined,
  ...overrides,
})

function deps(fetch: (request: UpstreamRequest) => Promise<ProxyResponse>) {
  const clock = new ManualClock()
  return { clock, deps: { fetch, classify: (error: unknown) => (error as { failure?: 'connect' }).failure ?? 'reset', timers: clock } }
}

test('sends to the endpoint with the attempt\'s path, headers and connect timeout; the route deadline stays armed for the body until released', async () => {
  const seen: UpstreamRequest[] = []
  const { clock, deps: d } = deps(async (request) => (seen.push(request), new Response('ok')))
  const result = await runAttempt(attempt(), d)
  expect(result.kind).toBe('response')
  expect([seen[0]!.url, seen[0]!.headers.get('host'), seen[0]!.connectTimeoutMs]).toEqual(['http://10.0.0.1:8080/service/1?x=1', 'edge', 250])
  expect(clock.pending()).toBe(1)
  if (result.kind === 'response') result.abort!.release()
  expect(clock.pending()).toBe(0)
})

test('a per-try deadline ends with the response head', async () => {
  const { clock, deps: d } = deps(async () => new Response('ok'))
  expect((await runAttempt(attempt({ perTry: true }), d)).kind).toBe('response')
  expect(clock.pending()).toBe(0)
})

test('a failed attempt leaves no timer and no listener on the client signal', async () => {
  const { clock, deps: d } = deps(async () => {
    throw upstreamFailure('reset')
  })
  expect(await runAttempt(attempt({ downstream: new AbortController() }), d)).toMatchObject({ kind: 'failure', failure: 'reset' })
  expect(clock.pending()).toBe(0)
})

test('a call that lasts is followed: the client\'s signal is watched from FOLLOW_CLIENT_AFTER_MS on, and not after the call', async () => {
  let answer!: (response: Response) => void
  const { clock, deps: d } = deps(() => new Promise<Response>((resolve) => (answer = resolve)))
  const listeners = new Set<unknown>()
  let reads = 0
  const signal = { aborted: false, addEventListener: (_: string, l: unknown) => listeners.add(l), removeEventListener: (_: string, l: unknown) => listeners.delete(l) }
  const client = {
    get signal() {
      reads++
      return signal as unknown as AbortSignal
    },
  }
  const pending = runAttempt(attempt({ timeoutMs: Infinity, downstream: client }), d)
  await clock.advance(FOLLOW_CLIENT_AFTER_MS - 1)
  expect([reads, listeners.size]).toEqual([0, 0])
  await clock.advance(1)
  expect([reads, listeners.size]).toEqual([1, 1])
  answer(new Response('late'))
  expect((await pending).kind).toBe('response')
  expect(listeners.size).toBe(0)
})

test('a thrown error comes back classified, never thrown', async () => {
  const { deps: d } = deps(async () => {
    throw upstreamFailure('connect')
  })
  expect(await runAttempt(attempt(), d)).toMatchObject({ kind: 'failure', failure: 'connect', endpoint })
})

test('the deadline aborts the fetch: a route timeout, or a per-try timeout when the per-try bound was shorter', async () => {
  for (const perTry of [false, true]) {
    const { clock, deps: d } = deps(hanging)
    const pending = runAttempt(attempt({ perTry }), d)
    await clock.advance(99)
    let settled = false
    void pending.then(() => (settled = true))
    await clock.advance(0)
    expect(settled).toBe(false)
    await clock.advance(1)
    expect(await pending).toMatchObject({ kind: 'failure', failure: perTry ? 'per-try-timeout' : 'timeout' })
  }
})

test('the client leaving aborts the attempt as aborted, whether it left before or after it was followed', async () => {
  for (const leaveAtMs of [1, FOLLOW_CLIENT_AFTER_MS + 1]) {
    const { clock, deps: d } = deps(hanging)
    const client = new AbortController()
    const pending = runAttempt(attempt({ timeoutMs: Infinity, downstream: client }), d)
    await clock.advance(leaveAtMs)
    client.abort()
    await clock.advance(FOLLOW_CLIENT_AFTER_MS)
    expect(await pending).toMatchObject({ kind: 'failure', failure: 'aborted' })
    expect(clock.pending()).toBe(0)
  }
})

test('a status no HTTP response may carry is a protocol failure', async () => {
  const fake = { status: 999, body: null } as unknown as Response
  const { deps: d } = deps(async () => fake)
  expect(await runAttempt(attempt(), d)).toMatchObject({ kind: 'failure', failure: 'protocol' })
})

test('one timer serves the follow point and the deadline: the client is watched from the first, the second still fires on time', async () => {
  const { clock, deps: d } = deps(hanging)
  const pending = runAttempt(attempt({ timeoutMs: 100, downstream: new AbortController() }), d)
  expect(clock.pending()).toBe(1)
  await clock.advance(FOLLOW_CLIENT_AFTER_MS)
  expect(clock.pending()).toBe(1)
  let settled = false
  void pending.then(() => (settled = true))
  await clock.advance(100 - FOLLOW_CLIENT_AFTER_MS - 1)
  expect(settled).toBe(false)
  await clock.advance(1)
  expect(await pending).toMatchObject({ kind: 'failure', failure: 'timeout' })
  expect(clock.pending()).toBe(0)
})
