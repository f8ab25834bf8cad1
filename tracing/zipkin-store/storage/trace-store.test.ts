// The storage contract: every test runs against the in-memory store and against SQLite.

import { describe, expect, test } from 'bun:test'
import { sampleTrace } from '../sample-trace.ts'
import type { Span } from '../span-model.ts'
import { parseTraceQuery } from '../trace-query.ts'
import { STORAGES } from './test-storages.ts'

const TRACE_A = '4e441824ec2b6a44ffdc9bb9a6453df3'
const TRACE_B = '5af7183fb1d4cf5f'
const NOW_MS = 1_750_000_000_000

const span = (traceId: string, id: string, extra: Partial<Span> = {}): Span => ({ traceId, id, ...extra })

for (const { name, make } of STORAGES) describe(`TraceStore (${name})`, () => {
  test('merges halves of a span but keeps a shared server span apart from its client', () => {
    const store = make({ maxSpans: 10 })
    const t = '00000000000000a1'
    store.accept([span(t, '0000000000000001', { kind: 'CLIENT', timestamp: 5, localEndpoint: { serviceName: 'a' } })])
    store.accept([span(t, '0000000000000001', { duration: 7, tags: { x: 'y' } })])
    store.accept([span(t, '0000000000000001', { kind: 'SERVER', shared: true, localEndpoint: { serviceName: 'b' } })])
    expect(store.spanCount).toBe(2)
    expect(store.getTrace(t)).toEqual([
      span(t, '0000000000000001', { kind: 'CLIENT', timestamp: 5, duration: 7, localEndpoint: { serviceName: 'a' }, tags: { x: 'y' } }),
      span(t, '0000000000000001', { kind: 'SERVER', shared: true, localEndpoint: { serviceName: 'b' } }),
    ])
  })

  test('evicts whole oldest traces once over maxSpans', () => {
    const store = make({ maxSpans: 3 })
    store.accept([span('00000000000000a1', '0000000000000001'), span('00000000000000a1', '0000000000000002')])
    store.accept([span('00000000000000a2', '0000000000000001')])
    expect(store.spanCount).toBe(3)
    store.accept([span('00000000000000a3', '0000000000000001')])
    expect(store.getTrace('00000000000000a1')).toBeUndefined()
    expect(store.spanCount).toBe(2)
    expect(store.traceCount).toBe(2)
  })

  test('strict trace ids keep 128-bit and 64-bit apart; non-strict groups them', () => {
    const long = '4e441824ec2b6a44ffdc9bb9a6453df3'
    const spans = [span(long, '0000000000000001'), span('ffdc9bb9a6453df3', '0000000000000002')]
    const strict = make({ maxSpans: 10 })
    strict.accept(spans)
    expect(strict.traceCount).toBe(2)
    const lenient = make({ maxSpans: 10, strictTraceId: false })
    lenient.accept(spans)
    expect(lenient.traceCount).toBe(1)
    expect(lenient.getTrace(long)?.length).toBe(2)
  })

  test('names are per local service and sorted', () => {
    const store = make({ maxSpans: 10 })
    store.accept([
      span('00000000000000a1', '0000000000000001', { name: 'b', localEndpoint: { serviceName: 's' }, remoteEndpoint: { serviceName: 'db' } }),
      span('00000000000000a1', '0000000000000002', { name: 'a', localEndpoint: { serviceName: 's' } }),
      span('00000000000000a1', '0000000000000003', { name: 'z', localEndpoint: { serviceName: 't' } }),
    ])
    expect(store.serviceNames()).toEqual(['s', 't'])
    expect(store.spanNames('S')).toEqual(['a', 'b'])
    expect(store.remoteServiceNames('s')).toEqual(['db'])
  })

  test('maxSpans must be a positive integer', () => {
    expect(() => make({ maxSpans: 0 })).toThrow(RangeError)
  })

  describe('searches', () => {
    const store = make({ maxSpans: 1000 })
    store.accept([...sampleTrace({ traceId: TRACE_A, startUs: (NOW_MS - 5000) * 1000 }), ...sampleTrace({ traceId: TRACE_B, startUs: (NOW_MS - 2000) * 1000, idPrefix: 'b2' })])
    // A quick trace of another service, one span, no tags.
    store.accept([{ traceId: '00000000000000c3', id: '00000000000000c3', name: 'ping', timestamp: (NOW_MS - 1000) * 1000, duration: 40, localEndpoint: { serviceName: 'pinger' } }])
    const find = (query: string) => {
      const parsed = parseTraceQuery(new URLSearchParams(query), NOW_MS)
      if (!parsed.ok) throw new Error(parsed.reason)
      return store.findTraces(parsed.query).map((trace) => trace[0]!.traceId)
    }

    test('newest first; limit; the time window', () => {
      expect(find('')).toEqual(['00000000000000c3', TRACE_B, TRACE_A])
      expect(find('limit=2')).toEqual(['00000000000000c3', TRACE_B])
      expect(find(`endTs=${NOW_MS - 1500}&lookback=1000`)).toEqual([TRACE_B])
      expect(find(`endTs=${NOW_MS - 10_000}`)).toEqual([])
    })

    test('service, span name and remote service: all on spans of the service', () => {
      expect(find('serviceName=service2')).toEqual([TRACE_B, TRACE_A])
      expect(find('serviceName=service2&spanName=checkstock')).toEqual([TRACE_B, TRACE_A])
      expect(find('serviceName=front-proxy&spanName=checkstock')).toEqual([])
      expect(find('spanName=ping')).toEqual(['00000000000000c3'])
      expect(find('serviceName=front-proxy&remoteServiceName=service1')).toEqual([TRACE_B, TRACE_A])
      expect(find('serviceName=service1&remoteServiceName=service1')).toEqual([])
    })

    test('durations and annotationQuery', () => {
      expect(find('minDuration=12000')).toEqual([TRACE_B, TRACE_A])
      expect(find('minDuration=30&maxDuration=50')).toEqual(['00000000000000c3'])
      expect(find('minDuration=1000&maxDuration=1500')).toEqual([])
      expect(find(`annotationQuery=${encodeURIComponent('error and http.status_code=503')}`)).toEqual([TRACE_B, TRACE_A])
      expect(find('annotationQuery=upstream%20reset')).toEqual([TRACE_B, TRACE_A])
      expect(find(`annotationQuery=${encodeURIComponent('http.method=POST')}`)).toEqual([])
      // The tag must be on a span of the service asked for.
      expect(find(`serviceName=front-proxy&annotationQuery=${encodeURIComponent('db.system=memory')}`)).toEqual([])
      expect(find(`serviceName=service2&annotationQuery=${encodeURIComponent('db.system=memory')}`)).toEqual([TRACE_B, TRACE_A])
    })

    test('traces in a window, tag values, span and remote names', () => {
      expect([...store.tracesInWindow(NOW_MS, 3000)].map((t) => t[0]!.traceId).sort()).toEqual(['00000000000000c3', TRACE_B])
      expect(store.tagValues('http.status_code')).toEqual(['503'])
      expect(store.spanNames('service2')).toEqual(['checkstock', 'ingress get /trace/2'])
      expect(store.remoteServiceNames('front-proxy')).toEqual(['service1'])
      expect(store.getTrace(TRACE_A)).toEqual(sampleTrace({ traceId: TRACE_A, startUs: (NOW_MS - 5000) * 1000 }))
    })
  })
})
