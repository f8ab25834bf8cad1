import { describe, expect, test } from 'bun:test'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { StatsStore } from '../src/stats/stats-store.ts'
import type { AccessLogEntry } from '../src/access-log.ts'
import type { ListenerConfig, RouteConfig } from '../src/config/model.ts'
import type { AttemptStart } from '../src/proxy/forward.ts'
import { createRequestTracer } from './request-tracer.ts'
import { setupTracing } from './setup-tracing.ts'
import { encodeSpan } from './zipkin-encode.ts'

const listener = { direction: 'egress', tracing: { clientSampling: 100, randomSampling: 100, overallSampling: 100 } } as unknown as ListenerConfig
const route = { name: 'r', match: { prefix: '/service/1' } } as unknown as RouteConfig
const entry = { method: 'GET', path: '/service/1?x=1', requestId: 'id-1', authority: 'h', userAgent: null, status: 200, flags: '' } as unknown as AccessLogEntry
const attemptOn = (number: number, key: string): AttemptStart => ({ number, endpoint: { key } as AttemptStart['endpoint'], headers: new Headers({ b3: '1' }) })
const response = (status: number) => ({ kind: 'response' as const, response: new Response(null, { status }), endpoint: undefined as never })

describe('createRequestTracer', () => {
  test('attempts that overlap still each end their own span; B3 goes out per attempt, written into the attempt headers', async () => {
    const exporter = new InMemorySpanExporter()
    const stats = new StatsStore()
    const tracing = setupTracing({ serviceName: 's', nodeId: '', stats: stats.tracing(), exporter })
    const tracer = createRequestTracer({ tracing, listenerStats: () => stats.listener('l') })
    const trace = tracer.start(new Request('http://h/service/1'), entry, listener)
    trace.routed(route, 'service1')
    const first = attemptOn(1, '10.0.0.1:80')
    const second = attemptOn(2, '10.0.0.2:80')
    const firstHeaders = trace.attempt(first)
    // In place: the router's attempts share one Headers and run one after another.
    expect(firstHeaders).toBe(first.headers)
    expect(firstHeaders.get('b3')).toBeNull()
    const firstSpanId = firstHeaders.get('x-b3-spanid')
    const secondHeaders = trace.attempt(second)
    expect(firstSpanId).not.toBe(secondHeaders.get('x-b3-spanid'))
    trace.attemptDone(first, response(503))
    trace.attemptDone(second, response(200))
    trace.attemptDone(second, response(200)) // a second report for the same attempt is ignored
    trace.end(entry)
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
})
