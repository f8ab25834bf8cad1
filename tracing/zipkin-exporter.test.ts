import { describe, expect, test } from 'bun:test'
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { UpstreamFetch, UpstreamRequest } from '../src/runtime.ts'
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

  describe('through the proxy\'s own client (upstreamFetch)', () => {
    const recording = (status = 202) => {
      const requests: UpstreamRequest[] = []
      const bodies: string[] = []
      const upstream: UpstreamFetch = async (request) => {
        requests.push(request)
        // Read now: the exporter may write the next batch over a buffer once this one is answered.
        bodies.push(new TextDecoder().decode(request.body as Uint8Array))
        return new Response(null, { status })
      }
      return { requests, bodies, upstream }
    }
    const spans = [1, 2, 3].map((i) => ({ ...span, name: `n${i}`, attributes: { 'http.url': `http://h/${i}?"ü"` } }) as unknown as ReadableSpan)
    const parts = (exporter: ZipkinExporter) => [exporter.encodePart(spans.slice(0, 2)), exporter.encodePart(spans.slice(2))]
    const sendParts = (exporter: ZipkinExporter, p: string[]) => new Promise<ExportResult>((resolve) => exporter.exportParts(p, resolve))

    test('an http:// collector gets the batch as bytes, the same JSON the fetch path posts', async () => {
      const texts: string[] = []
      const fake = (async (_url: string, init: RequestInit) => (texts.push(init.body as string), new Response(null, { status: 202 }))) as unknown as typeof fetch
      const viaFetch = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', serviceName: 'svc', timeoutMs: 100, fetch: fake })
      await sendParts(viaFetch, parts(viaFetch))
      const { requests, bodies, upstream } = recording()
      const own = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', serviceName: 'svc', timeoutMs: 100, fetch: fake, upstreamFetch: upstream })
      expect((await sendParts(own, parts(own))).code).toBe(ExportResultCode.SUCCESS)
      expect(texts).toHaveLength(1) // fetch was not called for the second exporter
      expect(requests[0]!.url).toBe('http://127.0.0.1:9411/api/v2/spans')
      expect(requests[0]!.method).toBe('POST')
      expect(requests[0]!.headers.get('content-type')).toBe('application/json')
      expect(requests[0]!.body).toBeInstanceOf(Uint8Array)
      expect(bodies[0]).toBe(texts[0]!)
      // export() (a whole batch of spans) goes the same way.
      expect((await new Promise<ExportResult>((resolve) => own.export(spans, resolve))).code).toBe(ExportResultCode.SUCCESS)
      expect(bodies[1]).toBe(texts[0]!)
    })

    test('https:// collectors and URLs with credentials stay on fetch', async () => {
      for (const url of ['https://zipkin.example/api/v2/spans', 'http://u:p@127.0.0.1:9411/api/v2/spans']) {
        let fetched = 0
        const fake = (async () => (fetched++, new Response(null, { status: 202 }))) as unknown as typeof fetch
        const { requests, upstream } = recording()
        const exporter = new ZipkinExporter({ url, serviceName: 'svc', timeoutMs: 100, fetch: fake, upstreamFetch: upstream })
        expect((await sendParts(exporter, parts(exporter))).code).toBe(ExportResultCode.SUCCESS)
        expect({ url, fetched, upstream: requests.length }).toEqual({ url, fetched: 1, upstream: 0 })
      }
    })

    test('the body buffer is reused after an answered POST, never after a failed one', async () => {
      const { requests, upstream } = recording(202)
      const exporter = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', serviceName: 'svc', timeoutMs: 100, upstreamFetch: upstream })
      await sendParts(exporter, parts(exporter))
      await sendParts(exporter, parts(exporter))
      const memory = (i: number) => (requests[i]!.body as Uint8Array).buffer
      expect(memory(1)).toBe(memory(0))
      const failing = recording(503)
      const refused = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', serviceName: 'svc', timeoutMs: 100, upstreamFetch: failing.upstream })
      expect((await sendParts(refused, parts(refused))).code).toBe(ExportResultCode.FAILED)
      await sendParts(refused, parts(refused))
      expect((failing.requests[1]!.body as Uint8Array).buffer).not.toBe((failing.requests[0]!.body as Uint8Array).buffer)
    })

    test('a collector that never answers fails the export once timeoutMs has passed', async () => {
      const hanging: UpstreamFetch = (request) =>
        new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }))
      const exporter = new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', serviceName: 'svc', timeoutMs: 20, upstreamFetch: hanging })
      const result = await sendParts(exporter, parts(exporter))
      expect(result.code).toBe(ExportResultCode.FAILED)
      expect(result.error?.name).toBe('TimeoutError')
    })
  })
})
