// The spans a traced request exports through a real in-process proxy: kinds and Envoy's tags,
// one span per retry attempt, and ids. B3 in and out: tracing-headers.test.ts.

import { describe, expect, test } from 'bun:test'
import { app, broken, closedPort, expectLinked, flaky, proxy, send, SPAN, T128, T64, traceOf, tracing, useTracingProxy } from '../support/tracing-proxy.ts'
import { definition, validateAgainst } from '../support/zipkin-spec.ts'

useTracingProxy()

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
