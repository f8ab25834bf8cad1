import { describe, expect, test } from 'bun:test'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { StatsStore } from '../src/stats/stats-store.ts'
import { injectB3 } from './b3-inject.ts'
import { setupTracing } from './setup-tracing.ts'
import { b3ContextOf } from './span-b3-context.ts'
import { encodeSpan } from './zipkin-encode.ts'

const T64 = '463ac35c9f6413ad'
const T128 = '463ac35c9f6413ad48485a3953bb6124'
const S = 'a2fb4a1d1a96d312'

function fixture(nodeId = '') {
  const exporter = new InMemorySpanExporter()
  const stats = new StatsStore().tracing()
  const tracing = setupTracing({ serviceName: 'front-proxy', nodeId, stats, exporter })
  const exported = async () => {
    await tracing.forceFlush()
    return exporter.getFinishedSpans().map((s) => encodeSpan(s, 'front-proxy'))
  }
  return { tracing, stats, exported }
}

describe('setupTracing', () => {
  test('a root CLIENT span and its child SERVER span link by explicit parent', async () => {
    const { tracing, exported } = fixture()
    const root = tracing.startSpan('checkAvailability', { kind: SpanKind.CLIENT })
    const parent = b3ContextOf(root)
    const child = tracing.startSpan('checkAvailability', { kind: SpanKind.SERVER, parent })
    child.end()
    root.end()
    const [c, r] = await exported()
    expect(r).toMatchObject({ kind: 'CLIENT', name: 'checkAvailability' })
    expect(r!.parentId).toBeUndefined()
    expect(r!.traceId).toMatch(/^[0-9a-f]{16}$/) // new roots are 64-bit, as Envoy's default
    expect(c).toMatchObject({ kind: 'SERVER', traceId: r!.traceId, parentId: r!.id })
    expect(c!.id).not.toBe(r!.id)
  })

  test('a 64-bit incoming trace id stays 16 hex in export and injection; 128-bit stays 32', async () => {
    const { tracing, exported } = fixture()
    for (const traceId of [T64, T128]) {
      const span = tracing.startSpan('ingress', { kind: SpanKind.SERVER, parent: { traceId, spanId: S, sampled: true } })
      const headers = new Headers()
      injectB3(headers, b3ContextOf(span, S))
      expect(headers.get('x-b3-traceid')).toBe(traceId)
      expect(headers.get('x-b3-parentspanid')).toBe(S)
      expect(headers.get('x-b3-spanid')).toBe(span.spanContext().spanId)
      span.end()
    }
    const spans = await exported()
    expect(spans.map((s) => [s.traceId, s.parentId])).toEqual([
      [T64, S],
      [T128, S],
    ])
  })

  test('an unsampled parent gives a non-recording span with valid ids, propagated with sampled 0', async () => {
    const { tracing, exported } = fixture()
    const span = tracing.startSpan('ingress', { kind: SpanKind.SERVER, parent: { traceId: T64, spanId: S, sampled: false } })
    expect(span.isRecording()).toBe(false)
    const headers = new Headers()
    injectB3(headers, b3ContextOf(span, S))
    expect(headers.get('x-b3-traceid')).toBe(T64)
    expect(headers.get('x-b3-spanid')).toMatch(/^[0-9a-f]{16}$/)
    expect(headers.get('x-b3-spanid')).not.toBe(S)
    expect(headers.get('x-b3-sampled')).toBe('0')
    span.end()
    expect(await exported()).toEqual([])
  })

  test('an unsampled root decision is honoured too, with fresh ids', async () => {
    const { tracing, exported } = fixture()
    const span = tracing.startSpan('egress', { kind: SpanKind.CLIENT, sampled: false })
    expect(span.isRecording()).toBe(false)
    expect(span.spanContext().traceId).toMatch(/^0{16}[0-9a-f]{16}$/)
    expect(span.spanContext().spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/)
    span.end()
    expect(await exported()).toEqual([])
  })

  test('debug forces sampling, exports debug: true and is inherited by children', async () => {
    const { tracing, exported } = fixture()
    const span = tracing.startSpan('ingress', {
      kind: SpanKind.SERVER,
      parent: { traceId: T64, spanId: S, sampled: false, debug: true },
    })
    expect(span.isRecording()).toBe(true)
    // A record is a parent as it is: its debug flag comes along, as trace state did for SDK spans.
    tracing.startSpan('inherits', { kind: SpanKind.CLIENT, parent: span }).end()
    tracing.startSpan('plain', { kind: SpanKind.CLIENT }).end()
    const ctx = b3ContextOf(span)
    expect(ctx).toMatchObject({ sampled: true, debug: true })
    const grandChild = tracing.startSpan('egress', { kind: SpanKind.CLIENT, parent: { ...ctx } })
    grandChild.end()
    span.end()
    const spans = await exported()
    expect(spans.map((s) => [s.name, s.debug])).toEqual([
      ['inherits', true],
      ['plain', undefined],
      ['egress', true],
      ['ingress', true],
    ])
  })

  test('node_id is tagged on every span when set, not when empty', async () => {
    const withNode = fixture('front-proxy-1')
    withNode.tracing.startSpan('a', { kind: SpanKind.CLIENT, attributes: { component: 'proxy' } }).end()
    expect((await withNode.exported())[0]!.tags).toEqual({ node_id: 'front-proxy-1', component: 'proxy' })
    const without = fixture('')
    without.tracing.startSpan('a', { kind: SpanKind.CLIENT }).end()
    expect((await without.exported())[0]!.tags).toEqual({})
  })

  test('ERROR status exports an error tag', async () => {
    const { tracing, exported } = fixture()
    const span = tracing.startSpan('a', { kind: SpanKind.CLIENT })
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream connect error' })
    span.end()
    const plain = tracing.startSpan('b', { kind: SpanKind.CLIENT })
    plain.setStatus({ code: SpanStatusCode.ERROR })
    plain.end()
    expect((await exported()).map((s) => s.tags.error)).toEqual(['upstream connect error', 'true'])
  })

  test('start time keeps sub-millisecond precision and durations are real microseconds', async () => {
    const { tracing, exported } = fixture()
    const startTimeMs = 1_700_000_000_123.456
    const span = tracing.startSpan('a', { kind: SpanKind.CLIENT, startTimeMs })
    span.end(startTimeMs + 1.5)
    const open = tracing.startSpan('b', { kind: SpanKind.SERVER })
    const until = performance.now() + 2
    while (performance.now() < until) {}
    open.end()
    const [a, b] = await exported()
    expect(a!.timestamp).toBe(1_700_000_000_123_456)
    expect(a!.duration).toBe(1500)
    expect(Number.isInteger(b!.timestamp)).toBe(true)
    expect(b!.duration).toBeGreaterThanOrEqual(2000)
    expect(b!.duration).toBeLessThan(1_000_000)
    expect(Math.abs(b!.timestamp / 1000 - Date.now())).toBeLessThan(5000)
  })

  test('shutdown flushes queued spans and then later spans are counted as dropped', async () => {
    const exporter = new InMemorySpanExporter()
    const stats = new StatsStore().tracing()
    const tracing = setupTracing({
      serviceName: 's',
      nodeId: '',
      stats,
      exporter,
      zipkin: { url: 'unused', maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMs: 60_000, exportTimeoutMs: 1000 },
    })
    for (let i = 0; i < 3; i++) tracing.startSpan(`s${i}`, { kind: SpanKind.CLIENT }).end()
    expect(exporter.getFinishedSpans()).toHaveLength(0)
    await tracing.shutdown()
    expect(exporter.getFinishedSpans()).toHaveLength(0) // the in-memory exporter forgets on shutdown…
    expect(stats.spans_sent.value).toBe(3) // …but it was handed all three first
    expect(stats.reports_sent.value).toBe(1)
    tracing.startSpan('late', { kind: SpanKind.CLIENT }).end()
    expect(stats.reports_dropped.value).toBe(1)
  })

  test('shutdown is bounded when the exporter never answers', async () => {
    const stats = new StatsStore().tracing()
    const tracing = setupTracing({
      serviceName: 's',
      nodeId: '',
      stats,
      exporter: { export() {}, shutdown: async () => {} },
      shutdownTimeoutMs: 50,
      zipkin: { url: 'unused', maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMs: 60_000, exportTimeoutMs: 60_000 },
    })
    tracing.startSpan('a', { kind: SpanKind.CLIENT }).end()
    const started = performance.now()
    await tracing.shutdown()
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
