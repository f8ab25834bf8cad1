// What an edge listener (use_remote_address) trusts from a client, as Envoy decides it: an external
// client (its address, after xff_num_trusted_hops, is not loopback/RFC 1918/ULA) gets a fresh
// x-request-id unless preserve_external_request_id, and cannot force a trace; internal clients can.
// Upstream, the request says which it was: x-envoy-internal, or x-envoy-external-address.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { startInMemoryTracer, type InMemoryTracer } from '../support/in-memory-tracer.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let app: Upstream
let proxy: TestProxy
let tracing: InMemoryTracer

const listener = (name: string, extra: string) => `
  - name: ${name}
    address: 127.0.0.1
    port: 0
    access_log: false
    use_remote_address: true
    xff_num_trusted_hops: 1      # the loopback test client plays the trusted load balancer in front
    tracing: { random_sampling: 0 }
    ${extra}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]`

beforeAll(async () => {
  app = await startUpstream({ name: 'app' })
  tracing = startInMemoryTracer({ serviceName: 'edge', nodeId: 'edge-1' })
  proxy = await startProxy(
    `
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener('edge', '')}${listener('preserving', 'preserve_external_request_id: true')}
clusters:
  - name: app
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${app.port} }] }
`,
    { tracer: tracing.tracer },
  )
})

afterAll(async () => {
  await proxy?.stop()
  await tracing?.tracing.shutdown()
  await app?.stop()
})

beforeEach(() => tracing.reset())

async function send(listenerName: string, client: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${proxy.url(listenerName)}/x`, { headers: { 'x-forwarded-for': client, ...headers } })
  const saw = ((await response.json()) as { headers: Record<string, string> }).headers
  return { response, saw }
}

describe('x-request-id at the edge', () => {
  test('an external client\'s id is replaced by a fresh one', async () => {
    const { saw } = await send('edge', '203.0.113.7', { 'x-request-id': 'client-chosen-1' })
    expect(saw['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })

  test('an internal client keeps its id', async () => {
    const { saw } = await send('edge', '10.1.2.3', { 'x-request-id': 'client-chosen-2' })
    expect(saw['x-request-id']).toBe('client-chosen-2')
  })

  test('preserve_external_request_id: true keeps an external client\'s id', async () => {
    const { saw } = await send('preserving', '203.0.113.7', { 'x-request-id': 'client-chosen-3' })
    expect(saw['x-request-id']).toBe('client-chosen-3')
  })

  test('x-forwarded-for gets the peer appended and x-forwarded-proto is set by the edge', async () => {
    const { saw } = await send('edge', '203.0.113.7', { 'x-forwarded-proto': 'https' })
    expect(saw['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1')
    expect(saw['x-forwarded-proto']).toBe('https') // one trusted hop: the hop in front said so
  })
})

describe('x-envoy-internal and x-envoy-external-address at the edge', () => {
  test('an external client\'s request carries its trusted address and is not marked internal, whatever it sent', async () => {
    const { saw } = await send('edge', '203.0.113.7', { 'x-envoy-internal': 'true' })
    expect([saw['x-envoy-external-address'], saw['x-envoy-internal']]).toEqual(['203.0.113.7', undefined])
  })

  test('an internal client\'s request is marked internal and carries no external address', async () => {
    const { saw } = await send('edge', '10.1.2.3', { 'x-envoy-external-address': '198.51.100.1' })
    expect([saw['x-envoy-internal'], saw['x-envoy-external-address']]).toEqual(['true', undefined])
  })
})

describe('x-envoy-force-trace at the edge', () => {
  test('is ignored from an external client: not sampled, id not echoed', async () => {
    const { response, saw } = await send('edge', '203.0.113.7', { 'x-envoy-force-trace': 'true', 'x-request-id': 'client-chosen-4' })
    expect(saw['x-b3-sampled']).toBe('0')
    expect(response.headers.get('x-request-id')).toBeNull()
    expect(saw['x-request-id']).not.toBe('client-chosen-4')
    expect(tracing.stats.listener('edge')['tracing.service_forced'].value).toBe(0)
  })

  test('is honoured from an internal client: sampled and the id echoed', async () => {
    const { response, saw } = await send('edge', '192.168.7.8', { 'x-envoy-force-trace': 'true', 'x-request-id': 'client-chosen-5' })
    expect(saw['x-b3-sampled']).toBe('1')
    expect(response.headers.get('x-request-id')).toBe('client-chosen-5')
    expect(tracing.stats.listener('edge')['tracing.service_forced'].value).toBe(1)
  })
})
