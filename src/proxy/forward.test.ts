import { describe, expect, test } from 'bun:test'
import { FOLLOW_CLIENT_AFTER_MS } from './attempt-abort.ts'
import { hanging, proxyFixture, upstreamFailure, type FixtureOptions } from './proxy.fixture.ts'
import { toResponse } from '../upstream/to-response.ts'

const RETRY_5XX = 'retry_policy: { retry_on: "5xx", num_retries: 2 }'
const C = 'cluster.service1.'

/** Drives the manual clock until `pending` settles (backoffs and timeouts run on it). */
async function settle<T>(f: ReturnType<typeof proxyFixture>, pending: Promise<T>, stepMs = 10, maxMs = 60_000): Promise<T> {
  let done = false
  void pending.finally(() => (done = true)).catch(() => {})
  for (let waited = 0; !done && waited <= maxMs; waited += stepMs) await f.clock.advance(stepMs)
  return pending
}

function statuses(...list: (number | Error)[]): FixtureOptions['upstream'] {
  let call = 0
  return () => {
    const next = list[Math.min(call++, list.length - 1)]!
    if (next instanceof Error) throw next
    return new Response(`status ${next}`, { status: next })
  }
}

describe('forward: the attempt loop', () => {
  test('a 5xx is retried on another endpoint; the retry succeeds and is counted once', async () => {
    const f = proxyFixture({ endpoints: 2, route: RETRY_5XX, upstream: statuses(503, 200) })
    const response = await settle(f, f.handle())
    expect([response.status, await toResponse(response).text()]).toEqual([200, 'status 200'])
    expect(f.fetched.map((x) => x.endpoint)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080'])
    expect([f.stat(`${C}upstream_rq_total`), f.stat(`${C}upstream_rq_retry`), f.stat(`${C}upstream_rq_retry_success`), f.stat(`${C}upstream_rq_503`)]).toEqual([2, 1, 1, 1])
    expect(f.logged[0]).toMatchObject({ status: 200, attempts: 2, upstreamHost: '10.0.0.2:8080', flags: '', details: 'via_upstream' })
  })

  test('retries run out on connect failures: 503 UF,URX, every attempt counted, the limit too', async () => {
    const f = proxyFixture({ endpoints: 3, route: 'retry_policy: { retry_on: "connect-failure", num_retries: 2 }', upstream: statuses(upstreamFailure('connect')) })
    const response = await settle(f, f.read())
    expect(response.status).toBe(503)
    expect(response.text).toBe('upstream connect error or disconnect/reset before headers. reset reason: connection failure')
    expect(f.logged[0]).toMatchObject({ flags: 'UF,URX', attempts: 3, details: 'upstream_reset_before_response_started{connection_failure}' })
    // upstream_cx_connect_fail is the upstream client's to count (endpoint-connections.ts), not the router's.
    expect([f.stat(`${C}upstream_rq_total`), f.stat(`${C}upstream_rq_retry`), f.stat(`${C}upstream_rq_retry_limit_exceeded`)]).toEqual([3, 2, 1])
  })

  test('one connect failure without retries is plain UF', async () => {
    const f = proxyFixture({ upstream: statuses(upstreamFailure('connect')) })
    expect((await f.read()).status).toBe(503)
    expect(f.logged[0]).toMatchObject({ flags: 'UF', attempts: 1 })
    expect(f.stat(`${C}upstream_rq_retry_limit_exceeded`)).toBe(0)
  })

  test('a status retry_on does not name is answered as is, without a retry', async () => {
    const f = proxyFixture({ endpoints: 2, route: 'retry_policy: { retry_on: "connect-failure", num_retries: 2 }', upstream: statuses(503, 200) })
    expect((await f.handle()).status).toBe(503)
    expect(f.fetched).toHaveLength(1)
  })

  test('the backoff runs on the clock: no second attempt before it has passed', async () => {
    // random 0.5 of a 100 ms ceiling: the first retry waits 50 ms.
    const f = proxyFixture({ endpoints: 2, random: () => 0.5, route: 'retry_policy: { retry_on: "5xx", num_retries: 1, retry_back_off: { base_interval: 0.1s } }', upstream: statuses(503, 200) })
    const pending = f.handle()
    await f.clock.advance(49)
    expect(f.fetched).toHaveLength(1)
    await f.clock.advance(1)
    expect(f.fetched).toHaveLength(2)
    expect((await pending).status).toBe(200)
  })

  test('a per-try timeout is retried; the route timeout is not', async () => {
    let call = 0
    const f = proxyFixture({
      endpoints: 2,
      route: 'timeout: 1s\nretry_policy: { retry_on: "5xx", num_retries: 3, per_try_timeout: 0.1s }',
      upstream: (request) => (call++ === 0 ? hanging(request) : new Response('late but fine')),
    })
    const response = await settle(f, f.handle())
    expect(response.status).toBe(200)
    expect([f.stat(`${C}upstream_rq_per_try_timeout`), f.stat(`${C}upstream_rq_timeout`), f.stat(`${C}upstream_rq_retry`)]).toEqual([1, 0, 1])
  })

  test('the route timeout ends the request with 504 UT even with retries left', async () => {
    const f = proxyFixture({ endpoints: 2, route: `timeout: 0.2s\n${RETRY_5XX}`, upstream: hanging })
    const pending = f.read()
    await f.clock.advance(200)
    const response = await pending
    expect(response.status).toBe(504)
    expect(response.text).toBe('upstream request timeout')
    expect(f.logged[0]).toMatchObject({ flags: 'UT', details: 'response_timeout', attempts: 1 })
    expect([f.stat(`${C}upstream_rq_timeout`), f.stat(`${C}upstream_rq_retry`)]).toEqual([1, 0])
    expect(f.clock.pending()).toBe(0)
  })

  test('the retry budget (max_retries) says no: the failed answer goes out, overflow counted', async () => {
    const f = proxyFixture({ endpoints: 2, route: RETRY_5XX, cluster: 'circuit_breakers: { thresholds: [{ max_retries: 0 }] }', upstream: statuses(503, 200) })
    expect((await f.handle()).status).toBe(503)
    expect([f.stat(`${C}upstream_rq_retry`), f.stat(`${C}upstream_rq_retry_overflow`)]).toEqual([0, 1])
  })

  test('a streamed request body is never replayed', async () => {
    const f = proxyFixture({ endpoints: 2, route: RETRY_5XX, upstream: statuses(503, 200) })
    const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('chunk')), c.close()) })
    const response = await f.handle('/service/1', { method: 'POST', body, headers: { 'transfer-encoding': 'chunked' }, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(503)
    expect(f.fetched).toHaveLength(1)
  })

  test('a buffered body is replayed whole on the retry', async () => {
    const seen: string[] = []
    const f = proxyFixture({
      endpoints: 2,
      route: RETRY_5XX,
      upstream: async (request) => {
        seen.push(await new Response(request.body).text())
        return new Response(null, { status: seen.length === 1 ? 503 : 201 })
      },
    })
    const response = await settle(f, f.handle('/service/1', { method: 'POST', body: 'payload', headers: { 'content-length': '7' } }))
    expect(response.status).toBe(201)
    expect(seen).toEqual(['payload', 'payload'])
  })

  test('a retry after a connect failure finds no endpoint: the connect failure is the answer', async () => {
    // Panic mode off: with Envoy's default the ejected endpoint would be retried in panic.
    const f = proxyFixture({ endpoints: 1, route: 'retry_policy: { retry_on: "connect-failure", num_retries: 1 }', cluster: 'outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 }\n    common_lb_config: { healthy_panic_threshold: 0 }', upstream: statuses(upstreamFailure('connect')) })
    const response = await settle(f, f.read())
    expect(response.status).toBe(503)
    expect(f.fetched).toHaveLength(1)
    expect(f.logged[0]).toMatchObject({ flags: 'UF', attempts: 1, upstreamHost: undefined })
  })

  test('no ready endpoint: 503 UH; circuit breaker full: 503 UO with x-envoy-overloaded', async () => {
    const ejected = proxyFixture({ cluster: 'outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 }\n    common_lb_config: { healthy_panic_threshold: 0 }', upstream: statuses(500) })
    expect((await ejected.read()).status).toBe(500)
    const none = await ejected.read()
    expect([none.status, none.text]).toEqual([503, 'no healthy upstream'])
    expect(ejected.logged[1]).toMatchObject({ flags: 'UH', attempts: 0 })
    // Envoy's default threshold (50 %): the ejected endpoint still gets the request, in panic.
    const panicking = proxyFixture({ cluster: 'outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 }', upstream: statuses(500) })
    expect((await panicking.read()).status).toBe(500)
    expect((await panicking.read()).status).toBe(500)
    expect(panicking.fetched).toHaveLength(2)

    const full = proxyFixture({ cluster: 'circuit_breakers: { thresholds: [{ max_requests: 1 }] }', upstream: hanging, route: 'timeout: 1s' })
    const first = full.handle()
    const second = await full.read()
    expect([second.status, second.headers.get('x-envoy-overloaded')]).toEqual([503, 'true'])
    expect(full.logged[0]).toMatchObject({ flags: 'UO', attempts: 0 })
    await full.clock.advance(1000)
    expect((await first).status).toBe(504)
  })

  test('a client that goes away ends the attempt: 499 DC, nothing retried, no outlier failure', async () => {
    const f = proxyFixture({ endpoints: 2, route: RETRY_5XX, upstream: hanging })
    const client = new AbortController()
    const pending = f.read('/service/1', { signal: client.signal })
    await f.clock.advance(1)
    client.abort()
    // Noticed once the attempt follows the client (attempt-abort.ts).
    await f.clock.advance(FOLLOW_CLIENT_AFTER_MS)
    const response = await pending
    expect(response.status).toBe(499)
    expect(f.logged[0]).toMatchObject({ flags: 'DC', attempts: 1 })
    expect(f.fetched).toHaveLength(1)
    expect(f.clusters.get('service1')!.endpoints()[0]!.rqError).toBe(0)
  })

  test('a route without a retry policy (one attempt, no loop): the client leaving is 499 DC, and every outcome releases the cluster hold', async () => {
    const gone = proxyFixture({ upstream: hanging })
    const client = new AbortController()
    const pending = gone.read('/service/1', { signal: client.signal })
    await gone.clock.advance(1)
    expect(gone.stat(`${C}upstream_rq_active`)).toBe(1)
    client.abort()
    await gone.clock.advance(FOLLOW_CLIENT_AFTER_MS)
    expect((await pending).status).toBe(499)
    expect(gone.logged[0]).toMatchObject({ flags: 'DC', attempts: 1 })
    expect(gone.stat(`${C}upstream_rq_active`)).toBe(0)
    // Answered, failed and a fetch that throws at once: each released, each attempt counted once.
    const answered = proxyFixture({ upstream: statuses(200, upstreamFailure('connect'), new Error('thrown')) })
    expect([(await answered.read()).status, (await answered.read()).status, (await answered.read()).status]).toEqual([200, 503, 503])
    expect(answered.logged.map((line) => line.attempts)).toEqual([1, 1, 1])
    expect(answered.stat(`${C}upstream_rq_active`)).toBe(0)
    expect(answered.stat(`${C}upstream_rq_total`)).toBe(3)
  })
})
