import { describe, expect, test } from 'bun:test'
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ZipkinExporter } from './zipkin-exporter.ts'

const span = {
  name: 'n',
  kind: SpanKind.CLIENT,
  spanContext: () => ({ traceId: '0000000000000000463ac35c9f6413ad', spanId: 'a2fb4a1d1a96d312', traceFlags: TraceFlags.SAMPLED }),
  startTime: [1, 0],
  duration: [0, 5000],
  status: { code: SpanStatusCode.UNSET },
  attributes: {},
  events: [],
} as unknown as ReadableSpan

function run(exporter: ZipkinExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([span], resolve))
}

describe('ZipkinExporter', () => {
  test('POSTs a JSON array to the collector URL with the injected fetch', async () => {
    const seen: { url: string; init: RequestInit }[] = []
    const fake = (async (url: string, init: RequestInit) => {
      seen.push({ url, init })
      return new Response(null, { status: 202 })
    }) as unknown as typeof fetch
    const exporter = new ZipkinExporter({ url: 'http://zipkin.test/api/v2/spans', serviceName: 'svc', timeoutMs: 100, fetch: fake })
    expect((await run(exporter)).code).toBe(ExportResultCode.SUCCESS)
    expect(seen[0]!.url).toBe('http://zipkin.test/api/v2/spans')
    expect(seen[0]!.init.method).toBe('POST')
    expect(new Headers(seen[0]!.init.headers).get('content-type')).toBe('application/json')
    const body = JSON.parse(seen[0]!.init.body as string)
    expect(body).toEqual([
      {
        traceId: '463ac35c9f6413ad',
        id: 'a2fb4a1d1a96d312',
        name: 'n',
        kind: 'CLIENT',
        timestamp: 1_000_000,
        duration: 5,
        localEndpoint: { serviceName: 'svc' },
        tags: {},
      },
    ])
  })

  test('non-2xx answers and network errors are failures, never exceptions', async () => {
    const status = (async () => new Response('no', { status: 503 })) as unknown as typeof fetch
    const refused = (async () => {
      throw new TypeError('connection refused')
    }) as unknown as typeof fetch
    expect((await run(new ZipkinExporter({ url: 'http://x', serviceName: 's', timeoutMs: 100, fetch: status }))).code).toBe(
      ExportResultCode.FAILED,
    )
    const failed = await run(new ZipkinExporter({ url: 'http://x', serviceName: 's', timeoutMs: 100, fetch: refused }))
    expect(failed.code).toBe(ExportResultCode.FAILED)
    expect(failed.error?.message).toBe('connection refused')
  })

  test('an endless (or inflating) collector answer is cut after 64 KiB, not read to the end', async () => {
    let pulled = 0
    let cancelled = false
    const endless = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 16 * 1024
            controller.enqueue(new Uint8Array(16 * 1024))
          },
          cancel() {
            cancelled = true
          },
        }),
        { status: 202 },
      )) as unknown as typeof fetch
    const result = await run(new ZipkinExporter({ url: 'http://x', serviceName: 's', timeoutMs: 1000, fetch: endless }))
    expect(result.code).toBe(ExportResultCode.SUCCESS)
    expect(cancelled).toBe(true)
    expect(pulled).toBeLessThan(256 * 1024)
  })

  test('after shutdown exports fail without calling fetch', async () => {
    let calls = 0
    const fake = (async () => {
      calls++
      return new Response(null, { status: 202 })
    }) as unknown as typeof fetch
    const exporter = new ZipkinExporter({ url: 'http://x', serviceName: 's', timeoutMs: 100, fetch: fake })
    await exporter.shutdown()
    expect((await run(exporter)).code).toBe(ExportResultCode.FAILED)
    expect(calls).toBe(0)
  })

  test('a batch sent as parts is the same bytes as the batch encoded whole', async () => {
    const bodies: string[] = []
    const fake = (async (_url: string, init: RequestInit) => {
      bodies.push(init.body as string)
      return new Response(null, { status: 202 })
    }) as unknown as typeof fetch
    const exporter = new ZipkinExporter({ url: 'http://x', serviceName: 'svc', timeoutMs: 100, fetch: fake })
    const spans = [1, 2, 3, 4, 5].map((i) => ({ ...span, name: `n${i}`, attributes: { 'http.url': `http://h/${i}?"q"` } }) as unknown as ReadableSpan)
    await new Promise((resolve) => exporter.export(spans, resolve))
    const parts = [exporter.encodePart(spans.slice(0, 2)), exporter.encodePart(spans.slice(2, 4)), exporter.encodePart(spans.slice(4))]
    expect((await new Promise<ExportResult>((resolve) => exporter.exportParts(parts, resolve))).code).toBe(ExportResultCode.SUCCESS)
    await new Promise((resolve) => exporter.exportParts([exporter.encodePart(spans)], resolve))
    expect(bodies).toHaveLength(3)
    expect(bodies[1]).toBe(bodies[0]!)
    expect(bodies[2]).toBe(bodies[0]!)
    expect(JSON.parse(bodies[0]!).map((s: { name: string }) => s.name)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
  })
})

