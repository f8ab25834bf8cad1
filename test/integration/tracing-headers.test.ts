// B3 in and out through a real in-process proxy with the real tracing layer: every B3 form the
// downstream may send, what the upstream receives, and the spans (ids, kinds, Envoy's tags) exported.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import type { ZipkinSpan } from '../../tracing/zipkin-encode.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { startInMemoryTracer, type InMemoryTracer } from '../support/in-memory-tracer.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { definition, validateAgainst } from '../support/zipkin-spec.ts'

const T64 = '463ac35c9f6413ad'
const T128 = '463ac35c9f6413ad48485a3953bb6124'
const SPAN = 'a2fb4a1d1a96d312'
const PARENT = '0020000000000001'
const HEX16 = /^[0-9a-f]{16}$/
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let app: Upstream
let flaky: Upstream
let broken: Upstream
let closedPort: number
let proxy: TestProxy
let tracing: InMemoryTracer

function yaml(): string {
  const cluster = (name: string, port: number) => `
  - name: ${name}
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }`
  const listener = (name: string, tracingBlock: string, routes: string) => `
  - name: ${name}
    address: 127.0.0.1
    port: 0
    access_log: false
    tracing: ${tracingBlock}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:${routes}`
  const serviceRoute = `
          - match: { prefix: /service/1 }
            route: { cluster: service1 }`
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener(
    'ingress',
    '{ operation_name: ingress }',
    `${serviceRoute}
          - match: { prefix: /flaky }
            route: { cluster: flaky, retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s, max_interval: 0.002s } } }
          - match: { prefix: /broken }
            route: { cluster: broken }
          - match: { prefix: /down }
            route: { cluster: down }`,
  )}${listener('egress', '{ operation_name: egress }', serviceRoute)}${listener('unsampled', '{ random_sampling: 0 }', serviceRoute)}
clusters:${cluster('service1', app.port)}${cluster('flaky', flaky.port)}${cluster('broken', broken.port)}${cluster('down', closedPort)}
`
}

beforeAll(async () => {
  app = await startUpstream({ name: 'app' })
  // Fails the first attempt of every request (keyed by x-request-id), so one retry succeeds.
  const failedOnce = new Set<string>()
  flaky = await startUpstream({
    handler: (_request, received) => {
      const id = received.headers['x-request-id'] ?? ''
      if (failedOnce.has(id)) return Response.json(received)
      failedOnce.add(id)
      return new Response('first attempt fails', { status: 500 })
    },
  })
  broken = await startUpstream({ handler: () => new Response('always fails', { status: 500 }) })
  closedPort = await unusedPort()
  tracing = startInMemoryTracer({ serviceName: 'front-proxy', nodeId: 'front-proxy-1' })
  proxy = await startProxy(yaml(), { tracer: tracing.tracer })
})

afterAll(async () => {
  await proxy?.stop()
  await tracing?.tracing.shutdown()
  await Promise.all([app?.stop(), flaky?.stop(), broken?.stop()])
})

beforeEach(() => tracing.reset())

type Sent = { status: number; headers: Headers; body: string; saw: Record<string, string> }

/** One request; `saw` is what the last attempt delivered to the upstream (the echo body). */
async function send(path: string, headers: Record<string, string> = {}, options: { listener?: string; body?: string } = {}): Promise<Sent> {
  const response = await fetch(`${proxy.url(options.listener ?? 'ingress')}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    ...(options.body !== undefined && { body: options.body }),
  })
  const body = await response.text()
  let saw: Record<string, string> = {}
  if (response.headers.get('content-type')?.includes('json')) saw = (JSON.parse(body) as { headers: Record<string, string> }).headers
  return { status: response.status, headers: response.headers, body, saw }
}

/** The request span and its attempt spans of one trace, after checking they form a valid tree. */
async function traceOf(traceId: string, attempts = 1): Promise<{ request: ZipkinSpan; attempts: ZipkinSpan[] }> {
  const spans = await tracing.spansOf(traceId, 1 + attempts)
  expect(spans).toHaveLength(1 + attempts)
  expect(validateAgainst(definition('ListOfSpans'), spans)).toEqual([])
  expect(new Set(spans.map((s) => s.id)).size).toBe(spans.length)
  const request = spans.find((s) => !s.name.startsWith('router '))!
  expect(request).toBeDefined()
  const attemptSpans = spans.filter((s) => s !== request)
  for (const attempt of attemptSpans) {
    expect(attempt).toMatchObject({ kind: 'CLIENT', parentId: request.id, name: 'router service1 egress' })
  }
  return { request, attempts: attemptSpans }
}

/** B3 the upstream received: always the full multi-header set naming the attempt and its request span. */
function expectUpstreamB3(saw: Record<string, string>, expected: { traceId?: string | RegExp; sampled: '0' | '1' }): void {
  expect(saw['x-b3-traceid']).toMatch(expected.traceId instanceof RegExp ? expected.traceId : new RegExp(`^${expected.traceId ?? '[0-9a-f]{16}'}$`))
  expect(saw['x-b3-spanid']).toMatch(HEX16)
  expect(saw['x-b3-parentspanid']).toMatch(HEX16)
  expect(saw['x-b3-parentspanid']).not.toBe(saw['x-b3-spanid'])
  expect(saw['x-b3-sampled']).toBe(expected.sampled)
  expect(saw.b3).toBeUndefined()
}

function expectLinked(saw: Record<string, string>, trace: { request: ZipkinSpan; attempts: ZipkinSpan[] }): void {
  expect(saw['x-b3-spanid']).toBe(trace.attempts.at(-1)!.id)
  expect(saw['x-b3-parentspanid']).toBe(trace.request.id)
}

describe('B3 multi headers', () => {
  test('none sent: a new 64-bit root trace, sampled by the listener, injected upstream', async () => {
    const sent = await send('/service/1')
    expect(sent.status).toBe(200)
    expectUpstreamB3(sent.saw, { sampled: '1' })
    const trace = await traceOf(sent.saw['x-b3-traceid']!)
    expect(trace.request.parentId).toBeUndefined()
    expect(trace.request.kind).toBe('SERVER')
    expectLinked(sent.saw, trace)
  })

  test('trace, span, parent and sampled=1: joins the trace as a child of the downstream span', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': PARENT, 'x-b3-sampled': '1' })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    const trace = await traceOf(T64)
    expect(trace.request.parentId).toBe(SPAN)
    expectLinked(sent.saw, trace)
  })

  test('trace and span without sampled or parent: decided here (random_sampling 100 samples)', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    const trace = await traceOf(T64)
    expect(trace.request.parentId).toBe(SPAN)
    expectLinked(sent.saw, trace)
  })

  test('upper-case ids are read and written lower-case', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64.toUpperCase(), 'x-b3-spanid': SPAN.toUpperCase(), 'x-b3-sampled': 'true' })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    expect((await traceOf(T64)).request.parentId).toBe(SPAN)
  })

  test('x-b3-sampled: 0 is propagated and nothing is exported', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' })
    expect(sent.status).toBe(200)
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '0' })
    await sleep(50)
    expect(await tracing.spans()).toEqual([])
  })

  test('128-bit trace ids keep 32 hex upstream and in the spans', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' })
    expectUpstreamB3(sent.saw, { traceId: T128, sampled: '1' })
    const trace = await traceOf(T128)
    expect(trace.request.traceId).toBe(T128)
    expectLinked(sent.saw, trace)
  })

  test('64-bit trace ids keep 16 hex (no zero padding leaks)', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' })
    expect(sent.saw['x-b3-traceid']).toHaveLength(16)
    const trace = await traceOf(T64)
    for (const span of [trace.request, ...trace.attempts]) expect(span.traceId).toBe(T64)
  })
})

describe('B3 single header', () => {
  test('b3 with parent joins the trace and is replaced by multi headers upstream', async () => {
    const sent = await send('/service/1', { b3: `${T128}-${SPAN}-1-${PARENT}` })
    expectUpstreamB3(sent.saw, { traceId: T128, sampled: '1' })
    const trace = await traceOf(T128)
    expect(trace.request.parentId).toBe(SPAN)
    expectLinked(sent.saw, trace)
  })

  test('b3 wins over the multi headers', async () => {
    const other = 'ffffffffffffffff'
    const sent = await send('/service/1', { b3: `${T64}-${SPAN}-1`, 'x-b3-traceid': other, 'x-b3-spanid': other, 'x-b3-sampled': '0' })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    expect((await traceOf(T64)).request.parentId).toBe(SPAN)
    expect((await tracing.spans()).filter((s) => s.traceId === other)).toEqual([])
  })

  test('b3: 0 means not sampled: headers still go upstream with x-b3-sampled 0, no span exported', async () => {
    const sent = await send('/service/1', { b3: '0' })
    expect(sent.status).toBe(200)
    expectUpstreamB3(sent.saw, { sampled: '0' })
    await sleep(50)
    expect(await tracing.spans()).toEqual([])
  })

  test('b3 with ids and sampling 0: propagated unsampled under the same trace id', async () => {
    const sent = await send('/service/1', { b3: `${T64}-${SPAN}-0` })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '0' })
    await sleep(50)
    expect(await tracing.spans()).toEqual([])
  })
})

describe('forced sampling', () => {
  test('x-b3-flags: 1 samples even with x-b3-sampled 0 and is passed on as debug', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0', 'x-b3-flags': '1' })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    expect(sent.saw['x-b3-flags']).toBe('1')
    const trace = await traceOf(T64)
    expect([trace.request, ...trace.attempts].map((s) => s.debug)).toEqual([true, true])
    expectLinked(sent.saw, trace)
  })

  test('x-b3-flags: 1 on a listener with random_sampling 0 still samples', async () => {
    const sent = await send('/service/1', { 'x-b3-flags': '1' }, { listener: 'unsampled' })
    expectUpstreamB3(sent.saw, { sampled: '1' })
    await traceOf(sent.saw['x-b3-traceid']!)
  })

  test('x-envoy-force-trace samples on a random_sampling 0 listener and echoes x-request-id', async () => {
    const sent = await send('/service/1', { 'x-envoy-force-trace': 'true' }, { listener: 'unsampled' })
    expect(sent.status).toBe(200)
    expectUpstreamB3(sent.saw, { sampled: '1' })
    expect(sent.saw['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(sent.headers.get('x-request-id')).toBe(sent.saw['x-request-id']!)
    const trace = await traceOf(sent.saw['x-b3-traceid']!)
    expect(trace.request.tags['guid:x-request-id']).toBe(sent.saw['x-request-id']!)
    expect(tracing.stats.listener('unsampled')['tracing.service_forced'].value).toBeGreaterThanOrEqual(1)
  })

  test('without x-envoy-force-trace the request id is not echoed', async () => {
    const sent = await send('/service/1')
    expect(sent.headers.get('x-request-id')).toBeNull()
  })
})

describe('random_sampling 0', () => {
  test('no spans, but a fresh trace is still propagated with x-b3-sampled 0', async () => {
    const first = await send('/service/1', {}, { listener: 'unsampled' })
    const second = await send('/service/1', {}, { listener: 'unsampled' })
    for (const sent of [first, second]) {
      expect(sent.status).toBe(200)
      expectUpstreamB3(sent.saw, { sampled: '0' })
    }
    expect(first.saw['x-b3-traceid']).not.toBe(second.saw['x-b3-traceid'])
    await sleep(50)
    expect(await tracing.spans()).toEqual([])
    expect(tracing.stats.listener('unsampled')['tracing.not_traceable'].value).toBeGreaterThanOrEqual(2)
  })

  test('x-b3-sampled: 1 alone (no ids) starts a sampled trace even there', async () => {
    const sent = await send('/service/1', { 'x-b3-sampled': '1' }, { listener: 'unsampled' })
    expectUpstreamB3(sent.saw, { sampled: '1' })
    expect((await traceOf(sent.saw['x-b3-traceid']!)).request.parentId).toBeUndefined()
  })

  test('x-b3-sampled: 0 alone (no ids) on a sampling listener: a fresh trace, not sampled', async () => {
    const sent = await send('/service/1', { 'x-b3-sampled': '0' })
    expect(sent.status).toBe(200)
    expectUpstreamB3(sent.saw, { sampled: '0' })
    await sleep(50)
    expect(await tracing.spans()).toEqual([])
  })

  test('an incoming sampled=1 decision is honoured even there', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }, { listener: 'unsampled' })
    expectUpstreamB3(sent.saw, { traceId: T64, sampled: '1' })
    await traceOf(T64)
  })
})

describe('malformed B3: a fresh trace, the request still succeeds', () => {
  const cases: [string, Record<string, string>][] = [
    ['non-hex trace id', { 'x-b3-traceid': 'zzzzzzzzzzzzzzzz', 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }],
    ['trace id of 20 hex', { 'x-b3-traceid': '463ac35c9f6413ad4848', 'x-b3-spanid': SPAN }],
    ['span id too short', { 'x-b3-traceid': T64, 'x-b3-spanid': 'a2fb' }],
    ['all-zero trace id', { 'x-b3-traceid': '0000000000000000', 'x-b3-spanid': SPAN }],
    ['malformed parent', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': 'nope' }],
    ['span id without trace id', { 'x-b3-spanid': SPAN }],
    ['garbage single header', { b3: 'not-a-b3-header' }],
    ['single header too long', { b3: `${T128}-${SPAN}-1-${PARENT}-extra` }],
  ]
  for (const [name, headers] of cases) {
    test(name, async () => {
      const sent = await send('/service/1', headers)
      expect(sent.status).toBe(200)
      expectUpstreamB3(sent.saw, { sampled: '1' })
      expect(sent.saw['x-b3-traceid']).not.toBe(T64)
      const trace = await traceOf(sent.saw['x-b3-traceid']!)
      expect(trace.request.parentId).toBeUndefined()
      expectLinked(sent.saw, trace)
    })
  }
})

describe('span kinds and tags', () => {
  test('the request span carries Envoy tags matching what the upstream saw', async () => {
    const sent = await send('/service/1/items?q=1', { 'user-agent': 'tracing-test/1.0', 'x-b3-traceid': T64, 'x-b3-spanid': SPAN }, { body: 'hello' })
    expect(sent.status).toBe(200)
    const { request, attempts } = await traceOf(T64)
    const port = proxy.ports.get('ingress')
    expect(request.tags).toMatchObject({
      'guid:x-request-id': sent.saw['x-request-id']!,
      'http.url': `http://127.0.0.1:${port}/service/1/items?q=1`,
      'http.method': 'POST',
      'http.protocol': 'HTTP/1.1',
      'http.status_code': '200',
      upstream_cluster: 'service1',
      upstream_address: `127.0.0.1:${app.port}`,
      request_size: '5',
      response_size: String(new TextEncoder().encode(sent.body).byteLength),
      response_flags: '-',
      user_agent: 'tracing-test/1.0',
      component: 'proxy',
      node_id: 'front-proxy-1',
    })
    expect(request.tags.error).toBeUndefined()
    expect(request.localEndpoint).toEqual({ serviceName: 'front-proxy' })
    expect(attempts[0]!.tags).toMatchObject({
      upstream_cluster: 'service1',
      upstream_address: `127.0.0.1:${app.port}`,
      'http.status_code': '200',
      node_id: 'front-proxy-1',
    })
    for (const span of [request, ...attempts]) {
      expect(Number.isInteger(span.timestamp)).toBe(true)
      expect(span.duration).toBeGreaterThanOrEqual(1)
    }
    expect(attempts[0]!.timestamp).toBeGreaterThanOrEqual(request.timestamp)
  })

  test('a client x-request-id is kept, passed upstream and tagged', async () => {
    const id = '7b1c0e8e-5e0f-4b17-a305-498c90b35511'
    const sent = await send('/service/1', { 'x-request-id': id, 'x-b3-traceid': T64, 'x-b3-spanid': SPAN })
    expect(sent.saw['x-request-id']).toBe(id)
    expect((await traceOf(T64)).request.tags['guid:x-request-id']).toBe(id)
  })

  test('no route (404 NR): one request span, no attempt, no error tag', async () => {
    const response = await fetch(`${proxy.url('ingress')}/nope`, { headers: { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN } })
    expect(response.status).toBe(404)
    await response.arrayBuffer()
    const [request, ...others] = await tracing.spansOf(T64, 1)
    expect(others).toEqual([])
    expect(request!.parentId).toBe(SPAN)
    expect(request!.tags).toMatchObject({ 'http.status_code': '404', response_flags: 'NR', component: 'proxy' })
    expect(request!.tags.error).toBeUndefined()
    expect(request!.tags.upstream_cluster).toBeUndefined()
  })

  test('an egress listener records its request span as CLIENT', async () => {
    const sent = await send('/service/1', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN }, { listener: 'egress' })
    const trace = await traceOf(T64)
    expect(trace.request.kind).toBe('CLIENT')
    expectLinked(sent.saw, trace)
  })

  test('user_agent is "-" when the client sends none', async () => {
    const response = await fetch(`${proxy.url('ingress')}/service/1`, { headers: { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'user-agent': '' } })
    await response.text()
    const { request } = await traceOf(T64)
    expect(request.tags.user_agent).toBe('-')
  })

  test('5xx from the upstream: error tag on the request and attempt spans', async () => {
    const sent = await send('/broken', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN })
    expect(sent.status).toBe(500)
    const spans = await tracing.spansOf(T64, 2)
    const request = spans.find((s) => !s.name.startsWith('router '))!
    const attempt = spans.find((s) => s.name === 'router broken egress')!
    expect(request.tags).toMatchObject({ 'http.status_code': '500', error: 'true', upstream_cluster: 'broken' })
    expect(attempt.tags).toMatchObject({ 'http.status_code': '500', error: 'true', upstream_address: `127.0.0.1:${broken.port}` })
    expect(attempt.parentId).toBe(request.id)
  })

  test('503 UF (no response): error, response_flags UF, no upstream status on the attempt', async () => {
    const sent = await send('/down', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN })
    expect(sent.status).toBe(503)
    const spans = await tracing.spansOf(T64, 2)
    const request = spans.find((s) => !s.name.startsWith('router '))!
    const attempt = spans.find((s) => s.name === 'router down egress')!
    expect(request.tags).toMatchObject({ 'http.status_code': '503', error: 'true', response_flags: 'UF', upstream_cluster: 'down' })
    expect(attempt.tags).toMatchObject({ error: 'true', response_flags: 'UF', upstream_address: `127.0.0.1:${closedPort}` })
    expect(['0', undefined]).toContain(attempt.tags['http.status_code'])
    expect(validateAgainst(definition('ListOfSpans'), spans)).toEqual([])
  })
})

describe('retries', () => {
  test('500 then 200 under retry_on 5xx: two attempt spans with distinct ids, each with address and status', async () => {
    const before = flaky.received.length
    const sent = await send('/flaky', { 'x-b3-traceid': T64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' })
    expect(sent.status).toBe(200)
    const seen = flaky.received.slice(before)
    expect(seen).toHaveLength(2)

    const spans = await tracing.spansOf(T64, 3)
    expect(spans).toHaveLength(3)
    expect(validateAgainst(definition('ListOfSpans'), spans)).toEqual([])
    expect(new Set(spans.map((s) => s.id)).size).toBe(3)
    const request = spans.find((s) => !s.name.startsWith('router '))!
    const attempts = spans.filter((s) => s.name === 'router flaky egress').sort((a, b) => a.timestamp - b.timestamp)
    expect(attempts).toHaveLength(2)
    expect(attempts.map((s) => s.parentId)).toEqual([request.id, request.id])
    expect(attempts.map((s) => s.tags['http.status_code'])).toEqual(['500', '200'])
    expect(attempts.map((s) => s.tags.upstream_address)).toEqual([`127.0.0.1:${flaky.port}`, `127.0.0.1:${flaky.port}`])
    expect(attempts[0]!.tags.error).toBe('true')
    expect(attempts[1]!.tags.error).toBeUndefined()
    expect(request.tags['http.status_code']).toBe('200')

    // Each attempt went out under its own span id, both children of the request span.
    expect(seen.map((r) => r.headers['x-b3-spanid'])).toEqual(attempts.map((s) => s.id))
    expect(seen.map((r) => r.headers['x-b3-parentspanid'])).toEqual([request.id, request.id])
    expect(seen.map((r) => r.headers['x-b3-traceid'])).toEqual([T64, T64])
    // The same request id on both attempts, the one the span carries.
    expect(seen.map((r) => r.headers['x-request-id'])).toEqual([request.tags['guid:x-request-id'], request.tags['guid:x-request-id']])
  })
})

describe('span ids', () => {
  test('unique across many traces and never equal to the downstream span id', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const sent = await send('/service/1', { 'x-b3-traceid': T128, 'x-b3-spanid': SPAN })
      expect(sent.status).toBe(200)
    }
    const spans = await tracing.spansOf(T128, 40)
    for (const span of spans) ids.add(span.id)
    expect(ids.size).toBe(40)
    expect(ids.has(SPAN)).toBe(false)
  })
})
