import { describe, expect, test } from 'bun:test'
import { SpanStore } from './span-store.ts'
import type { Span } from './span-model.ts'

const span = (traceId: string, id: string, extra: Partial<Span> = {}): Span => ({ traceId, id, ...extra })

describe('SpanStore', () => {
  test('merges halves of a span but keeps a shared server span apart from its client', () => {
    const store = new SpanStore({ maxSpans: 10 })
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
    const store = new SpanStore({ maxSpans: 3 })
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
    const strict = new SpanStore({ maxSpans: 10 })
    strict.accept(spans)
    expect(strict.traceCount).toBe(2)
    const lenient = new SpanStore({ maxSpans: 10, strictTraceId: false })
    lenient.accept(spans)
    expect(lenient.traceCount).toBe(1)
    expect(lenient.getTrace(long)?.length).toBe(2)
  })

  test('names are per local service and sorted', () => {
    const store = new SpanStore({ maxSpans: 10 })
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
    expect(() => new SpanStore({ maxSpans: 0 })).toThrow(RangeError)
  })
})
