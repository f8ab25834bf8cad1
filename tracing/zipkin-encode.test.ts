import { describe, expect, test } from 'bun:test'
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { hrTimeToMicros, encodeSpan } from './zipkin-encode.ts'
import { debugTraceState } from './debug-state.ts'

function readable(o: Partial<ReadableSpan> & { traceId?: string }): ReadableSpan {
  return {
    name: 'checkAvailability',
    kind: SpanKind.SERVER,
    spanContext: () => ({ traceId: o.traceId ?? '0000000000000000463ac35c9f6413ad', spanId: 'a2fb4a1d1a96d312', traceFlags: TraceFlags.SAMPLED }),
    startTime: [1_700_000_000, 123_456_789],
    endTime: [1_700_000_000, 125_456_789],
    duration: [0, 2_000_000],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    ended: true,
    resource: undefined as never,
    instrumentationScope: { name: 'edgeway' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...o,
  } as ReadableSpan
}

describe('encodeSpan', () => {
  test('Zipkin v2 fields: 16-hex ids, integer µs, service name, kind', () => {
    expect(encodeSpan(readable({}), 'service1')).toEqual({
      traceId: '463ac35c9f6413ad',
      id: 'a2fb4a1d1a96d312',
      name: 'checkAvailability',
      kind: 'SERVER',
      timestamp: 1_700_000_000_123_456,
      duration: 2000,
      localEndpoint: { serviceName: 'service1' },
      tags: {},
    })
  })

  test('parent id, CLIENT kind, INTERNAL kind omitted, 128-bit kept', () => {
    const parentSpanContext = { traceId: 'x', spanId: '0020000000000001', traceFlags: 1 }
    const client = encodeSpan(readable({ kind: SpanKind.CLIENT, parentSpanContext }), 's')
    expect(client).toMatchObject({ kind: 'CLIENT', parentId: '0020000000000001' })
    const internal = encodeSpan(readable({ kind: SpanKind.INTERNAL, traceId: '463ac35c9f6413ad48485a3953bb6124' }), 's')
    expect(internal.kind).toBeUndefined()
    expect(internal.traceId).toBe('463ac35c9f6413ad48485a3953bb6124')
  })

  test('tags are strings, empties skipped, error from status; an error attribute wins', () => {
    const span = readable({
      attributes: { 'http.status_code': 503, retry: true, empty: '', list: ['a', 'b'] },
      status: { code: SpanStatusCode.ERROR },
    })
    expect(encodeSpan(span, 's').tags).toEqual({ 'http.status_code': '503', retry: 'true', list: '["a","b"]', error: 'true' })
    const withAttr = readable({ attributes: { error: 'true' }, status: { code: SpanStatusCode.ERROR, message: 'x' } })
    expect(encodeSpan(withAttr, 's').tags.error).toBe('true')
  })

  test('zero duration rounds up to 1; events become annotations; debug from trace state', () => {
    const span = readable({
      duration: [0, 0],
      events: [{ name: 'retry', time: [1_700_000_000, 124_000_000] }],
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1, traceState: debugTraceState() }),
    })
    const out = encodeSpan(span, 's')
    expect(out.duration).toBe(1)
    expect(out.annotations).toEqual([{ timestamp: 1_700_000_000_124_000, value: 'retry' }])
    expect(out.debug).toBe(true)
  })

  test('µs conversion is exact integer arithmetic', () => {
    expect(hrTimeToMicros([1_700_000_000, 999_999_999])).toBe(1_700_000_000_999_999)
  })
})
