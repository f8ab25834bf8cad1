// Spans exported over real HTTP to a recording collector: the payload validates against the
// official Zipkin v2 `Span` definition, and a slow or dead collector costs spans, never requests.

import { afterEach, describe, expect, test } from 'bun:test'
import { SpanKind } from '@opentelemetry/api'
import { bunRuntime } from '../../src/adapter/bun.ts'
import type { UpstreamFetch } from '../../src/runtime.ts'
import { StatsStore, type TracingStats } from '../../src/stats/stats-store.ts'
import {
  b3ContextOf,
  extractB3,
  injectB3,
  requestTags,
  setTags,
  setupTracing,
  tagResponse,
  type Tracing,
} from '../../tracing/index.ts'
import { definition, validateAgainst } from '../support/zipkin-spec.ts'
import { startZipkinSink, type ZipkinSink } from '../support/zipkin-sink.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function sink(opts?: Parameters<typeof startZipkinSink>[0]): Promise<ZipkinSink> {
  const s = await startZipkinSink(opts)
  cleanups.push(() => s.close())
  return s
}

function tracingWith(
  url: string,
  batch: Partial<{ maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMs: number; exportTimeoutMs: number }> = {},
  serviceName = 'front-proxy',
  upstreamFetch?: UpstreamFetch,
): { tracing: Tracing; stats: TracingStats } {
  const stats = new StatsStore().tracing()
  const tracing = setupTracing({
    serviceName,
    nodeId: 'front-proxy-1',
    stats,
    upstreamFetch,
    zipkin: { url, maxQueueSize: 64, maxExportBatchSize: 5, scheduledDelayMs: 60_000, exportTimeoutMs: 2000, ...batch },
  })
  cleanups.push(() => tracing.shutdown())
  return { tracing, stats }
}

/** One proxied request as the proxy will record it: an ingress SERVER span and its egress CLIENT span. */
function recordHop(tracing: Tracing, incoming: Headers, status: number): Headers {
  const trace = extractB3(incoming)
  // The proxy's own decision for "decide here" is to sample (Envoy's default random_sampling 100 %).
  const parent =
    trace?.traceId && trace.spanId
      ? { traceId: trace.traceId, spanId: trace.spanId, sampled: trace.sampled ?? true, debug: trace.debug }
      : undefined
  const server = tracing.startSpan('checkAvailability', { kind: SpanKind.SERVER, parent })
  setTags(
    server,
    requestTags({
      requestId: 'c3464f4b-5e0f-9b17-a305-498c90b35511',
      url: 'http://localhost:8000/trace/1',
      method: 'GET',
      protocol: 'HTTP/1.1',
      userAgent: 'curl/8.5.0',
    }),
  )
  const client = tracing.startSpan('checkAvailability', { kind: SpanKind.CLIENT, parent: b3ContextOf(server) })
  const upstream = new Headers()
  injectB3(upstream, b3ContextOf(client, server.spanContext().spanId))
  tagResponse(client, { status, upstreamCluster: 'service1', upstreamAddress: '127.0.0.2:8000', requestSize: 0, responseSize: 89 })
  client.end()
  tagResponse(server, { status, requestSize: 0, responseSize: 89 })
  server.end()
  return upstream
}

// Both ways a batch leaves: the global fetch (https collectors, and setupTracing without a client),
// and the proxy's own HTTP/1.1 client as src/main.ts passes it, the body written from a reused buffer.
for (const [client, upstreamFetch] of [['fetch', undefined], ['own client', bunRuntime.upstreamFetch]] as const) {
  describe(`zipkin export over HTTP (${client})`, () => {
    const tracingTo = (url: string, batch?: Parameters<typeof tracingWith>[1]) => tracingWith(url, batch, 'front-proxy', upstreamFetch)
    test('spans arrive as a Zipkin v2 JSON array that validates against the official Span definition', async () => {
      const collector = await sink()
      const { tracing, stats } = tracingTo(collector.url)
      const up64 = recordHop(tracing, new Headers({ 'x-b3-traceid': '463AC35C9F6413AD', 'x-b3-spanid': 'a2fb4a1d1a96d312' }), 200)
      recordHop(tracing, new Headers({ b3: '463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1-0020000000000001' }), 503)
      recordHop(tracing, new Headers(), 200)
      await tracing.forceFlush()

      expect(collector.reports.length).toBeGreaterThanOrEqual(1)
      for (const report of collector.reports) {
        expect(report.headers['content-type']).toBe('application/json')
        expect(validateAgainst(definition('ListOfSpans'), report.body)).toEqual([])
      }
      const spans = collector.spans()
      expect(spans).toHaveLength(6)
      expect(stats.spans_sent.value).toBe(6)
      expect(stats.reports_sent.value).toBe(collector.reports.length)
      for (const span of spans) {
        expect(validateAgainst(definition('Span'), span)).toEqual([])
        expect(span.localEndpoint).toEqual({ serviceName: 'front-proxy' })
        expect(Number.isInteger(span.timestamp)).toBe(true)
        expect(Number.isInteger(span.duration)).toBe(true)
        expect(Object.values(span.tags as object).every((v) => typeof v === 'string')).toBe(true)
        expect((span.tags as Record<string, string>).node_id).toBe('front-proxy-1')
      }

      // Width kept: the 64-bit trace stays 16 hex in Zipkin and upstream, the 128-bit one 32.
      const byTrace = new Map<string, Record<string, unknown>[]>()
      for (const s of spans) byTrace.set(s.traceId as string, [...(byTrace.get(s.traceId as string) ?? []), s])
      expect(byTrace.get('463ac35c9f6413ad')?.map((s) => s.kind).sort()).toEqual(['CLIENT', 'SERVER'])
      expect(byTrace.get('463ac35c9f6413ad48485a3953bb6124')).toHaveLength(2)
      expect(up64.get('x-b3-traceid')).toBe('463ac35c9f6413ad')

      const [server64, client64] = ['SERVER', 'CLIENT'].map((k) => byTrace.get('463ac35c9f6413ad')!.find((s) => s.kind === k)!)
      expect(server64!.parentId).toBe('a2fb4a1d1a96d312')
      expect(client64!.parentId).toBe(server64!.id)
      expect(up64.get('x-b3-spanid')).toBe(client64!.id as string)
      expect(up64.get('x-b3-parentspanid')).toBe(server64!.id as string)

      const failed = byTrace.get('463ac35c9f6413ad48485a3953bb6124')!
      expect(failed.map((s) => (s.tags as Record<string, string>).error)).toEqual(['true', 'true'])
      expect(failed.map((s) => (s.tags as Record<string, string>)['http.status_code'])).toEqual(['503', '503'])
      const ok = byTrace.get('463ac35c9f6413ad')!
      expect(ok.every((s) => !('error' in (s.tags as object)))).toBe(true)
    })

    test('a partial batch is sent by the timer without any flush call', async () => {
      const collector = await sink()
      const { tracing } = tracingTo(collector.url, { scheduledDelayMs: 20, maxExportBatchSize: 100 })
      tracing.startSpan('lonely', { kind: SpanKind.CLIENT }).end()
      const [span] = await collector.waitForSpans(1, 3000)
      expect(span!.name).toBe('lonely')
    })

    test('shutdown flushes what is queued', async () => {
      const collector = await sink()
      const { tracing, stats } = tracingTo(collector.url, { maxExportBatchSize: 4 })
      for (let i = 0; i < 10; i++) tracing.startSpan(`s${i}`, { kind: SpanKind.SERVER }).end()
      await tracing.shutdown()
      expect(collector.spans().map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`))
      expect([stats.spans_sent.value, stats.reports_sent.value, stats.reports_dropped.value]).toEqual([10, 3, 0])
    })

    test('collector refusing connections: reports_failed counted, nothing thrown', async () => {
      const gone = await startZipkinSink()
      const url = gone.url
      await gone.close() // the port is now closed: connection refused
      const { tracing, stats } = tracingTo(url, { maxExportBatchSize: 2 })
      expect(() => {
        for (let i = 0; i < 4; i++) tracing.startSpan(`s${i}`, { kind: SpanKind.CLIENT }).end()
      }).not.toThrow()
      await tracing.forceFlush()
      expect(stats.reports_failed.value).toBe(2)
      expect(stats.spans_sent.value).toBe(0)
    })

    test('collector resetting connections (down) counts failures; it recovers when the collector does', async () => {
      const collector = await sink({ down: true })
      const { tracing, stats } = tracingTo(collector.url, { maxExportBatchSize: 1 })
      tracing.startSpan('lost', { kind: SpanKind.CLIENT }).end()
      await tracing.forceFlush()
      expect(stats.reports_failed.value).toBe(1)
      collector.down = false
      tracing.startSpan('kept', { kind: SpanKind.CLIENT }).end()
      await tracing.forceFlush()
      expect(collector.spans().map((s) => s.name)).toEqual(['kept'])
      expect(stats.spans_sent.value).toBe(1)
    })

    test('slow collector: the queue stays bounded, drops are counted, starting and ending spans stays fast', async () => {
      const collector = await sink({ delayMs: 300 })
      const { tracing, stats } = tracingTo(collector.url, { maxQueueSize: 10, maxExportBatchSize: 5, exportTimeoutMs: 100 })
      const started = performance.now()
      for (let i = 0; i < 100; i++) tracing.startSpan(`s${i}`, { kind: SpanKind.SERVER }).end()
      const elapsedMs = performance.now() - started
      // 5 went out in the first POST, 10 wait in the queue, the other 85 are dropped and counted.
      expect(stats.reports_dropped.value).toBe(85)
      expect(elapsedMs).toBeLessThan(1000)
      await tracing.forceFlush()
      // Every POST outlived exportTimeoutMs: counted as failed (the late 202s are ignored).
      expect(stats.reports_failed.value).toBe(3)
      expect(stats.reports_sent.value).toBe(0)
    })
  })
}
