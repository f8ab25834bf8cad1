import { describe, expect, test } from 'bun:test'
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { isDebug } from './debug-state.ts'
import { SpanRecord } from './span-record.ts'
import { encodeSpan } from './zipkin-encode.ts'

const resource = resourceFromAttributes({ 'service.name': 's' })
const T64 = '463ac35c9f6413ad'
const S = 'a2fb4a1d1a96d312'
const P = '0020000000000001'

function record(o: { sampled?: boolean; debug?: boolean; parent?: string; startMs?: number; sink?: SpanRecord[] } = {}) {
  const sink = o.sink && { onEnd: (span: SpanRecord) => void o.sink!.push(span) }
  return new SpanRecord('op', SpanKind.SERVER, T64, S, o.parent, o.sampled ?? true, o.debug ?? false, o.startMs ?? 1_700_000_000_123.456, sink, resource)
}

/** The ReadableSpan view copied into a plain object: what any OTel exporter would see. */
function plainView(span: SpanRecord): ReadableSpan {
  const { name, kind, parentSpanContext, startTime, endTime, status, attributes, links, events, duration, ended } = span
  return {
    name, kind, parentSpanContext, startTime, endTime, status, attributes: { ...attributes }, links, events, duration, ended,
    spanContext: () => span.spanContext(),
    resource, instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  }
}

describe('SpanRecord', () => {
  test('ends once, hands a sampled span to its sink, and ignores changes after the end', () => {
    const sink: SpanRecord[] = []
    const span = record({ sink })
    span.tag('http.status_code', 200)
    span.end(1_700_000_000_125.456)
    span.end()
    span.tag('late', 'x')
    span.setAttribute('late', 'x').updateName('renamed').setStatus({ code: SpanStatusCode.ERROR })
    expect(sink).toEqual([span])
    expect(span.attributes).toEqual({ 'http.status_code': '200' })
    expect([span.name, span.status.code, span.isRecording()]).toEqual(['op', SpanStatusCode.UNSET, false])
  })

  test('an unsampled record keeps its ids for injection but records nothing and never reaches the sink', () => {
    const sink: SpanRecord[] = []
    const span = record({ sampled: false, sink })
    expect(span.isRecording()).toBe(false)
    span.tag('a', 'b')
    span.setAttribute('c', 'd')
    span.end()
    expect(sink).toEqual([])
    expect(span.attributes).toEqual({})
    expect(span.spanContext()).toEqual({ traceId: '0'.repeat(16) + T64, spanId: S, traceFlags: TraceFlags.NONE })
  })

  test('tag() skips undefined and empty values and writes strings', () => {
    const span = record()
    span.tag('a', undefined)
    span.tag('b', '')
    span.tag('c', 0)
    span.tag('d', 'x')
    expect(span.attributes).toEqual({ c: '0', d: 'x' })
  })

  test('the api view: 32-hex trace id, sampled flag, debug in trace state; the ReadableSpan view in HrTime', () => {
    const span = record({ debug: true, parent: P })
    span.end(1_700_000_000_125.956)
    const ctx = span.spanContext()
    expect([ctx.traceId, ctx.spanId, ctx.traceFlags, isDebug(ctx.traceState)]).toEqual(['0'.repeat(16) + T64, S, TraceFlags.SAMPLED, true])
    expect(span.parentSpanContext?.spanId).toBe(P)
    // Epoch ms as a double is exact to well under a microsecond, not to the nanosecond.
    const micros = ([s, ns]: [number, number]) => [s, Math.round(ns / 1000)]
    expect(micros(span.startTime)).toEqual([1_700_000_000, 123_456])
    expect(micros(span.endTime)).toEqual([1_700_000_000, 125_956])
    expect(micros(span.duration)).toEqual([0, 2_500])
    expect(span.ended).toBe(true)
  })

  test('end() takes epoch ms, performance.now() ms, Date or HrTime, as OTel does', () => {
    const at = (end: Parameters<SpanRecord['end']>[0]) => {
      const span = record({ startMs: 1_700_000_000_000 })
      span.end(end)
      return span.endMs
    }
    expect(at(1_700_000_000_002.5)).toBe(1_700_000_000_002.5)
    expect(at(new Date(1_700_000_000_002))).toBe(1_700_000_000_002)
    expect(at([1_700_000_000, 2_000_000])).toBe(1_700_000_000_002)
    expect(Math.abs(at(performance.now()) - (performance.timeOrigin + performance.now()))).toBeLessThan(1000)
  })

  test('the Zipkin encoding of a record equals the encoding of its ReadableSpan view', () => {
    const spans = [record({ parent: P }), record({ debug: true }), record()]
    spans[0]!.tag('http.status_code', 503)
    spans[0]!.setStatus({ code: SpanStatusCode.ERROR, message: 'status 503' })
    spans[1]!.setAttribute('retry', true)
    spans[1]!.addEvent('retry', 1_700_000_000_124)
    spans[2]!.tag('error', 'true')
    spans[2]!.setStatus({ code: SpanStatusCode.ERROR })
    spans.forEach((s, i) => s.end(1_700_000_000_123.456 + i * 0.0004))
    for (const span of spans) expect(encodeSpan(span, 'svc')).toEqual(encodeSpan(plainView(span), 'svc'))
    expect(encodeSpan(spans[0]!, 'svc')).toMatchObject({ parentId: P, duration: 1, tags: { 'http.status_code': '503', error: 'status 503' } })
    expect(encodeSpan(spans[1]!, 'svc')).toMatchObject({ debug: true, tags: { retry: 'true' }, annotations: [{ timestamp: 1_700_000_000_124_000, value: 'retry' }] })
  })
})
