// The proxy the B3 and span tests share: an in-process front proxy with the real tracing layer and
// an in-memory exporter, upstreams that echo, fail once or always fail, and the helpers that send a
// request and read its trace back (validated against the Zipkin v2 spec).

import { afterAll, beforeAll, beforeEach, expect } from 'bun:test'
import type { ZipkinSpan } from '../../tracing/zipkin-encode.ts'
import { startProxy, type TestProxy } from './edgeway.ts'
import { startInMemoryTracer, type InMemoryTracer } from './in-memory-tracer.ts'
import { unusedPort } from './sockets.ts'
import { startUpstream, type Upstream } from './upstream.ts'
import { definition, validateAgainst } from './zipkin-spec.ts'

export const T64 = '463ac35c9f6413ad'
export const T128 = '463ac35c9f6413ad48485a3953bb6124'
export const SPAN = 'a2fb4a1d1a96d312'
export const PARENT = '0020000000000001'
export const HEX16 = /^[0-9a-f]{16}$/
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export let app: Upstream
export let flaky: Upstream
export let broken: Upstream
export let closedPort: number
export let proxy: TestProxy
export let tracing: InMemoryTracer

function yaml(): string {
  const cluster = (name: string, port: number) => `
  - name: ${name}
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }`
  const listener = (name: string, tracingBlock: string, routes: string) => `
  - name: ${name}
    address: 127.0.0.1
    port: 0
    access_log: false
    tracing: ${tracingBlock}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:${routes}`
  const serviceRoute = `
          - match: { prefix: /service/1 }
            route: { cluster: service1 }`
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener(
    'ingress',
    '{ operation_name: ingress }',
    `${serviceRoute}
          - match: { prefix: /flaky }
            route: { cluster: flaky, retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 0.001s, max_interval: 0.002s } } }
          - match: { prefix: /broken }
            route: { cluster: broken }
          - match: { prefix: /down }
            route: { cluster: down }`,
  )}${listener('egress', '{ operation_name: egress }', serviceRoute)}${listener('unsampled', '{ random_sampling: 0 }', serviceRoute)}
clusters:${cluster('service1', app.port)}${cluster('flaky', flaky.port)}${cluster('broken', broken.port)}${cluster('down', closedPort)}
`
}

/** Starts the upstreams, the in-memory tracer and the proxy for the calling test file; each test starts with no spans. */
export function useTracingProxy(): void {
  beforeAll(async () => {
    app = await startUpstream({ name: 'app' })
    // Fails the first attempt of every request (keyed by x-request-id), so one retry succeeds.
    const failedOnce = new Set<string>()
    flaky = await startUpstream({
      handler: (_request, received) => {
        const id = received.headers['x-request-id'] ?? ''
        if (failedOnce.has(id)) return Response.json(received)
        failedOnce.add(id)
        return new Response('first attempt fails', { status: 500 })
      },
    })
    broken = await startUpstream({ handler: () => new Response('always fails', { status: 500 }) })
    closedPort = await unusedPort()
    tracing = startInMemoryTracer({ serviceName: 'front-proxy', nodeId: 'front-proxy-1' })
    proxy = await startProxy(yaml(), { tracer: tracing.tracer })
  })

  afterAll(async () => {
    await proxy?.stop()
    await tracing?.tracing.shutdown()
    await Promise.all([app?.stop(), flaky?.stop(), broken?.stop()])
  })

  beforeEach(() => tracing.reset())
}

export type Sent = { status: number; headers: Headers; body: string; saw: Record<string, string> }

/** One request; `saw` is what the last attempt delivered to the upstream (the echo body). */
export async function send(path: string, headers: Record<string, string> = {}, options: { listener?: string; body?: string } = {}): Promise<Sent> {
  const response = await fetch(`${proxy.url(options.listener ?? 'ingress')}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    ...(options.body !== undefined && { body: options.body }),
  })
  const body = await response.text()
  let saw: Record<string, string> = {}
  if (response.headers.get('content-type')?.includes('json')) saw = (JSON.parse(body) as { headers: Record<string, string> }).headers
  return { status: response.status, headers: response.headers, body, saw }
}

/** The request span and its attempt spans of one trace, after checking they form a valid tree. */
export async function traceOf(traceId: string, attempts = 1): Promise<{ request: ZipkinSpan; attempts: ZipkinSpan[] }> {
  const spans = await tracing.spansOf(traceId, 1 + attempts)
  expect(spans).toHaveLength(1 + attempts)
  expect(validateAgainst(definition('ListOfSpans'), spans)).toEqual([])
  expect(new Set(spans.map((s) => s.id)).size).toBe(spans.length)
  const request = spans.find((s) => !s.name.startsWith('router '))!
  expect(request).toBeDefined()
  const attemptSpans = spans.filter((s) => s !== request)
  for (const attempt of attemptSpans) {
    expect(attempt).toMatchObject({ kind: 'CLIENT', parentId: request.id, name: 'router service1 egress' })
  }
  return { request, attempts: attemptSpans }
}

/** B3 the upstream received: always the full multi-header set naming the attempt and its request span. */
export function expectUpstreamB3(saw: Record<string, string>, expected: { traceId?: string | RegExp; sampled: '0' | '1' }): void {
  expect(saw['x-b3-traceid']).toMatch(expected.traceId instanceof RegExp ? expected.traceId : new RegExp(`^${expected.traceId ?? '[0-9a-f]{16}'}$`))
  expect(saw['x-b3-spanid']).toMatch(HEX16)
  expect(saw['x-b3-parentspanid']).toMatch(HEX16)
  expect(saw['x-b3-parentspanid']).not.toBe(saw['x-b3-spanid'])
  expect(saw['x-b3-sampled']).toBe(expected.sampled)
  expect(saw.b3).toBeUndefined()
}

export function expectLinked(saw: Record<string, string>, trace: { request: ZipkinSpan; attempts: ZipkinSpan[] }): void {
  expect(saw['x-b3-spanid']).toBe(trace.attempts.at(-1)!.id)
  expect(saw['x-b3-parentspanid']).toBe(trace.request.id)
}
