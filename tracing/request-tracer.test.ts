import { describe, expect, test } from 'bun:test'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { StatsStore } from '../src/stats/stats-store.ts'
import type { ListenerConfig, RouteConfig } from '../src/config/model.ts'
import type { AttemptStart } from '../src/proxy/attempt.ts'
import { UpstreamFields } from '../src/proxy/headers/upstream-fields.ts'
import type { RequestInfo } from '../src/proxy/request-info.ts'
import { createRequestTracer } from './request-tracer.ts'
import { setupTracing } from './setup-tracing.ts'
import { encodeSpan } from './zipkin-encode.ts'

const listenerTracing = { clientSampling: 100, randomSampling: 100, overallSampling: 100, customTags: [] }
const listener = { direction: 'egress', tracing: listenerTracing } as unknown as ListenerConfig
const ingress = { direction: 'ingress', tracing: listenerTracing } as unknown as ListenerConfig
const route = { name: 'r', match: { prefix: '/service/1' } } as unknown as RouteConfig
const info = { startedAt: performance.now(), method: 'GET', path: '/service/1?x=1', requestId: 'id-1', authority: 'h', userAgent: null, status: 200, flags: '' } as unknown as RequestInfo
const attemptOn = (number: number, key: string): AttemptStart => {
  const [address, port] = key.split(':') as [string, string]
  return { number, endpoint: { key, address, port: Number(port) } as AttemptStart['endpoint'], fields: new UpstreamFields(new Headers({ b3: '1' })) }
}
const response = (status: number) => ({ kind: 'response' as const, response: new Response(null, { status }), endpoint: undefined as never })

describe('createRequestTracer', () => {
  test('attempts that overlap still each end their own span; B3 goes out per attempt, written into the attempt headers', async () => {
    const exporter = new InMemorySpanExporter()
    const stats = new StatsStore()
    const tracing = setupTracing({ serviceName: 's', nodeId: '', stats: stats.tracing(), exporter })
    const tracer = createRequestTracer({ tracing, listenerStats: () => stats.listener('l') })
    const trace = tracer.start(new Request('http://h/service/1'), info, listener)
    trace.routed(route, 'service1')
    const first = attemptOn(1, '10.0.0.1:80')
    const second = attemptOn(2, '10.0.0.2:80')
    trace.attempt(first)
    const firstHeaders = first.fields.headers()
    expect(firstHeaders.get('b3')).toBeNull()
    const firstSpanId = firstHeaders.get('x-b3-spanid')
    trace.attempt(second)
    expect(firstSpanId).not.toBe(second.fields.headers().get('x-b3-spanid'))
    trace.attemptDone(first, response(503))
    trace.attemptDone(second, response(200))
    trace.attemptDone(second, response(200)) // a second report for the same attempt is ignored
    trace.end(info)
    await tracing.forceFlush()
    const spans = exporter.getFinishedSpans().map((s) => encodeSpan(s, 's'))
    expect(spans.map((s) => [s.name, s.tags['upstream_address'], s.tags['http.status_code']])).toEqual([
      ['router service1 egress', '10.0.0.1:80', '503'],
      ['router service1 egress', '10.0.0.2:80', '200'],
      ['service1 /service/1', undefined, '200'],
    ])
    expect(spans[0]!.id).toBe(firstSpanId!)
    expect(spans[1]!.parentId).toBe(spans[2]!.id)
  })

  test('no tracing field arrived (the arrival walk says so): the tracer reads no header, deletes none, and still sends B3', async () => {
    const exporter = new InMemorySpanExporter()
    const stats = new StatsStore()
    const tracing = setupTracing({ serviceName: 's', nodeId: '', stats: stats.tracing(), exporter })
    const tracer = createRequestTracer({ tracing, listenerStats: () => stats.listener('l') })
    const calls: string[] = []
    class Watched extends Headers {
      override get(name: string) {
        calls.push(`get ${name}`)
        return super.get(name)
      }
      override has(name: string) {
        calls.push(`has ${name}`)
        return super.has(name)
      }
      override delete(name: string) {
        calls.push(`delete ${name}`)
        super.delete(name)
      }
    }
    const request = new Request('http://h/service/1')
    Object.defineProperty(request, 'headers', { value: new Watched({ host: 'h' }) })
    const trace = tracer.start(request, { ...info, tracingFields: false } as RequestInfo, ingress)
    trace.routed(route, 'service1')
    const attempt = { number: 1, endpoint: { key: '10.0.0.1:80', address: '10.0.0.1', port: 80 } as AttemptStart['endpoint'], fields: new UpstreamFields(new Watched({ host: 'h' })) }
    trace.attempt(attempt)
    trace.attemptDone(attempt, response(200))
    trace.end(info)
    expect(calls).toEqual([])
    // Into the block: the client's Headers are not touched at all.
    expect(attempt.fields.pairs.filter((_, i) => i % 2 === 0)).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled'])
    const sent = attempt.fields.headers()
    expect([sent.get('x-b3-traceid')?.length, sent.get('x-b3-spanid')?.length, sent.get('x-b3-sampled')]).toEqual([16, 16, '1'])
    await tracing.forceFlush()
    expect(exporter.getFinishedSpans()).toHaveLength(2)
  })

  test("span times are the proxy's own: the request from its arrival to its end, the attempt from its start for its elapsed time", async () => {
    const exporter = new InMemorySpanExporter()
    const stats = new StatsStore()
    const tracing = setupTracing({ serviceName: 's', nodeId: '', stats: stats.tracing(), exporter })
    const tracer = createRequestTracer({ tracing, listenerStats: () => stats.listener('l') })
    // The proxy's clock (performance.now()), well in the past, so a span timed by the clock now would show.
    const arrived = performance.now() - 60_000
    const timed = { ...info, startedAt: arrived, endedAt: arrived + 7 } as RequestInfo
    const trace = tracer.start(new Request('http://h/service/1'), timed, listener)
    trace.routed(route, 'service1')
    const attempt = { ...attemptOn(1, '10.0.0.1:80'), startedAt: arrived + 1, elapsedMs: 2.5 }
    trace.attempt(attempt)
    trace.attemptDone(attempt, response(200))
    trace.end(timed)
    await tracing.forceFlush()
    const [upstream, request] = exporter.getFinishedSpans().map((s) => encodeSpan(s, 's'))
    const epochMicros = (monotonicMs: number) => (performance.timeOrigin + monotonicMs) * 1000
    expect(request!.timestamp).toBeCloseTo(epochMicros(arrived), -1)
    expect(request!.duration).toBeCloseTo(7000, -1)
    expect(upstream!.timestamp).toBeCloseTo(epochMicros(arrived + 1), -1)
    expect(upstream!.duration).toBeCloseTo(2500, -1)
  })
})

function harness(options: Partial<Parameters<typeof createRequestTracer>[0]> = {}) {
  const exporter = new InMemorySpanExporter()
  const stats = new StatsStore()
  const tracing = setupTracing({ serviceName: 's', nodeId: '', stats: stats.tracing(), exporter })
  const tracer = createRequestTracer({ tracing, listenerStats: () => stats.listener('l'), ...options })
  const spans = async () => {
    await tracing.forceFlush()
    return exporter.getFinishedSpans().map((s) => encodeSpan(s, 's'))
  }
  return { tracer, spans }
}

/** One request with one attempt on 10.0.0.1:80; returns [attempt span, request span] and the attempt's headers. */
async function oneRequest(h: ReturnType<typeof harness>, on: ListenerConfig, headers: Record<string, string> = {}) {
  const trace = h.tracer.start(new Request('http://h/service/1', { headers }), info, on, { remoteAddress: '::ffff:192.0.2.7', remotePort: 5555 })
  trace.routed(route, 'service1')
  const first = attemptOn(1, '10.0.0.1:80')
  trace.attempt(first)
  const sent = first.fields.headers()
  trace.attemptDone(first, response(200))
  const second = attemptOn(2, '10.0.0.2:81')
  trace.attempt(second)
  trace.attemptDone(second, response(200))
  trace.end(info)
  const [attempt, retry, request] = await h.spans()
  return { attempt: attempt!, retry: retry!, request: request!, sent }
}

describe('Envoy parity of the spans', () => {
  test('attempt spans carry the request id, peer.address, upstream_cluster.name, retry.count and a remote endpoint', async () => {
    const { attempt, retry, request } = await oneRequest(harness(), ingress)
    expect(attempt.tags).toMatchObject({
      'guid:x-request-id': 'id-1',
      'peer.address': '10.0.0.1:80',
      upstream_cluster: 'service1',
      'upstream_cluster.name': 'service1',
      upstream_address: '10.0.0.1:80',
      'retry.count': '0',
      component: 'proxy',
    })
    expect(retry.tags['retry.count']).toBe('1')
    expect(attempt.remoteEndpoint).toEqual({ serviceName: 'service1', ipv4: '10.0.0.1', port: 80 })
    expect(retry.remoteEndpoint).toEqual({ serviceName: 'service1', ipv4: '10.0.0.2', port: 81 })
    // The ingress request span's remote is its client (no service name: it is not a dependency link).
    expect(request.remoteEndpoint).toEqual({ ipv4: '192.0.2.7', port: 5555 })
    expect(request.tags['peer.address']).toBe('192.0.2.7')
    expect(request.tags['guid:x-request-id']).toBe('id-1')
  })

  test('an egress request span has no remote endpoint: its attempts name the upstream (no double-counted link)', async () => {
    const { request, attempt } = await oneRequest(harness(), listener)
    expect(request.kind).toBe('CLIENT')
    expect(request.remoteEndpoint).toBeUndefined()
    expect(attempt.remoteEndpoint?.serviceName).toBe('service1')
  })

  test('custom_tags: literal, environment (with default) and request_header (with default) on every span', async () => {
    const customTags = [
      { tag: 'team', kind: 'literal', value: 'edge' },
      { tag: 'region', kind: 'environment', name: 'REGION', defaultValue: 'nowhere' },
      { tag: 'pod', kind: 'environment', name: 'POD', defaultValue: undefined },
      { tag: 'unset', kind: 'environment', name: 'UNSET', defaultValue: undefined },
      { tag: 'tenant', kind: 'request_header', name: 'x-tenant', defaultValue: undefined },
      { tag: 'plan', kind: 'request_header', name: 'x-plan', defaultValue: 'free' },
    ]
    const on = { direction: 'ingress', tracing: { ...listenerTracing, customTags } } as unknown as ListenerConfig
    const env: Record<string, string> = { POD: 'pod-7' }
    const { attempt, request } = await oneRequest(harness({ env: (name) => env[name] }), on, { 'x-tenant': 'acme' })
    for (const span of [attempt, request]) {
      expect(span.tags).toMatchObject({ team: 'edge', region: 'nowhere', pod: 'pod-7', tenant: 'acme', plan: 'free' })
      expect(span.tags.unset).toBeUndefined()
    }
  })

  test('shared_span_context: an ingress span reuses the caller span id, its parent is the caller parent', async () => {
    const caller = { 'x-b3-traceid': '463ac35c9f6413ad', 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-parentspanid': '0020000000000001', 'x-b3-sampled': '1' }
    const { request, attempt, sent } = await oneRequest(harness({ sharedSpanContext: true }), ingress, caller)
    expect(request).toMatchObject({ id: 'a2fb4a1d1a96d312', parentId: '0020000000000001', shared: true, kind: 'SERVER' })
    expect(attempt.parentId).toBe('a2fb4a1d1a96d312')
    expect(sent.get('x-b3-parentspanid')).toBe('a2fb4a1d1a96d312')
    expect(sent.get('x-b3-spanid')).toBe(attempt.id)
    // Without a parent from the caller the shared span is a root.
    const { request: root } = await oneRequest(harness({ sharedSpanContext: true }), ingress, { b3: '463ac35c9f6413ad-a2fb4a1d1a96d312-1' })
    expect(root).toMatchObject({ id: 'a2fb4a1d1a96d312', shared: true })
    expect(root.parentId).toBeUndefined()
  })

  test('shared_span_context leaves egress spans and fresh traces with their own ids; off is the separate-span model', async () => {
    const caller = { 'x-b3-traceid': '463ac35c9f6413ad', 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' }
    const egress = await oneRequest(harness({ sharedSpanContext: true }), listener, caller)
    expect(egress.request.id).not.toBe('a2fb4a1d1a96d312')
    expect(egress.request.parentId).toBe('a2fb4a1d1a96d312')
    expect(egress.request.shared).toBeUndefined()
    const fresh = await oneRequest(harness({ sharedSpanContext: true }), ingress)
    expect(fresh.request.shared).toBeUndefined()
    const separate = await oneRequest(harness(), ingress, caller)
    expect(separate.request).toMatchObject({ parentId: 'a2fb4a1d1a96d312', kind: 'SERVER' })
    expect(separate.request.id).not.toBe('a2fb4a1d1a96d312')
    expect(separate.request.shared).toBeUndefined()
  })

  test('b3Headers single sends only the b3 header upstream, both sends both', async () => {
    const single = await oneRequest(harness({ b3Headers: 'single' }), ingress)
    expect(single.sent.get('b3')).toBe(`${single.attempt.traceId}-${single.attempt.id}-1-${single.request.id}`)
    expect(single.sent.get('x-b3-traceid')).toBeNull()
    const both = await oneRequest(harness({ b3Headers: 'both' }), ingress)
    expect(both.sent.get('b3')).toBe(`${both.attempt.traceId}-${both.attempt.id}-1-${both.request.id}`)
    expect(both.sent.get('x-b3-spanid')).toBe(both.attempt.id)
  })
})

describe("Envoy's runtime keys override the listener's sampling", () => {
  test('tracing.random_sampling (0.01 % steps), tracing.client_enabled and tracing.global_enabled (%)', async () => {
    const { LayeredRuntime } = await import('../src/layered-runtime/layered-runtime.ts')
    const runtime = new LayeredRuntime({ layers: [{ name: 'admin', kind: 'admin' }] }, { serviceCluster: '' })
    let draw = 0.3
    const h = harness({ runtime, random: () => draw })
    /** Whether the request's span reaches the exporter. */
    const sampled = async (headers: Record<string, string> = {}) => {
      const before = (await h.spans()).length
      const trace = h.tracer.start(new Request('http://h/', { headers }), info, listener)
      trace.routed(route, 'service1')
      trace.end(info)
      return (await h.spans()).length > before
    }
    // The listener samples 100 %; the runtime says 0.25 % (25 of 10000): the 0.3 draw (30 %) is out, 0.002 in.
    runtime.modify({ 'tracing.random_sampling': '25' })
    expect(await sampled()).toBe(false)
    draw = 0.002
    expect(await sampled()).toBe(true)
    runtime.modify({ 'tracing.random_sampling': '10000', 'tracing.global_enabled': '0' })
    expect(await sampled()).toBe(false)
    runtime.modify({ 'tracing.global_enabled': '', 'tracing.random_sampling': '0', 'tracing.client_enabled': '0' })
    expect(await sampled({ 'x-client-trace-id': 'abc' })).toBe(false)
    runtime.modify({ 'tracing.client_enabled': '' })
    expect(await sampled({ 'x-client-trace-id': 'abc' })).toBe(true)
  })
})

describe('span names', () => {
  test('one route sending requests to two clusters (weighted_clusters) names each request and attempt after its own cluster', async () => {
    const h = harness()
    for (const cluster of ['blue', 'green', 'blue']) {
      const trace = h.tracer.start(new Request('http://h/service/1'), info, listener)
      trace.routed(route, cluster)
      const attempt = attemptOn(1, '10.0.0.1:80')
      trace.attempt(attempt)
      trace.attemptDone(attempt, response(200))
      trace.end(info)
    }
    expect((await h.spans()).map((s) => s.name)).toEqual([
      'router blue egress', 'blue /service/1',
      'router green egress', 'green /service/1',
      'router blue egress', 'blue /service/1',
    ])
  })
})
