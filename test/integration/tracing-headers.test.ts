// B3 in and out through a real in-process proxy with the real tracing layer: every B3 form the
// downstream may send, what the upstream receives, and the trace that results. Spans' kinds, tags,
// retries and ids: tracing-spans.test.ts.

import { describe, expect, test } from 'bun:test'
import { expectLinked, expectUpstreamB3, PARENT, send, sleep, SPAN, T128, T64, traceOf, tracing, useTracingProxy } from '../support/tracing-proxy.ts'

useTracingProxy()

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
