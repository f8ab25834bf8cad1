// Envoy's own sandbox configs serving real traffic, unchanged bar addresses: the front proxy
// routes by prefix to its clusters; the zipkin front proxy and service sidecar (v2 @types) send
// spans to the collector their collector_cluster names, named by the decorator, with the
// response headers %REQ()% fills. The front-proxy and zipkin files serve on Deno too.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { envoyFixture } from '../support/envoy-fixture.ts'
import { ProcessGroup, eventually } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { startZipkinSink, type ZipkinSink } from '../support/zipkin-sink.ts'
import { Endpoint } from '../../src/upstream/endpoint.ts'
import { createLoadBalancer } from '../../src/upstream/lb/create-load-balancer.ts'
import { xxHash64 } from '../../src/upstream/lb/xxhash64.ts'

let service1: Upstream
let service2: Upstream
let sink: ZipkinSink
const group = new ProcessGroup()
const proxies: TestProxy[] = []

beforeAll(async () => {
  // The seeds' and the zipkin sandbox's clusters have http2_protocol_options: their services take h2c, as Envoy sidecars do.
  service1 = await startUpstream({ name: 'service1', http2: true })
  service2 = await startUpstream({ name: 'service2', http2: true })
  sink = await startZipkinSink()
})

afterAll(async () => {
  for (const proxy of proxies) await proxy.stop()
  await group.stopAll()
  await Promise.all([service1?.stop(), service2?.stop(), sink?.close()])
})

const at = (u: Upstream) => [{ address: u.address, port: u.port }]

/** The sandbox front proxy's routes, on both of its listeners (the second terminates TLS). */
async function checkFrontProxy(url: (listener: string) => string): Promise<void> {
  const one = await fetch(`${url('listener_0')}/service/1`)
  expect(one.status).toBe(200)
  expect(((await one.json()) as { name: string }).name).toBe('service1')
  const two = await fetch(`${url('listener_0')}/service/2`)
  expect(((await two.json()) as { name: string }).name).toBe('service2')
  const none = await fetch(`${url('listener_0')}/nothing`)
  expect(none.status).toBe(404)
  await none.arrayBuffer()
  // The second listener terminates TLS with the file's inline self-signed certificate (CN=front-envoy).
  const second = await fetch(`${url('listener_1').replace('http:', 'https:')}/service/2`, { tls: { rejectUnauthorized: false } } as RequestInit)
  expect(((await second.json()) as { name: string }).name).toBe('service2')
}

describe('front-proxy sandbox (v3)', () => {
  test('routes /service/1 and /service/2 to their strict DNS clusters; anything else is 404 NR', async () => {
    const proxy = await startProxy(envoyFixture('front-proxy.yaml', { service1: at(service1), service2: at(service2) }))
    proxies.push(proxy)
    await checkFrontProxy((listener) => proxy.url(listener))
  })

  test('the same on Deno (the real CLI)', async () => {
    const proxy = await group.proxy('front-proxy-deno', envoyFixture('front-proxy.yaml', { service1: at(service1), service2: at(service2) }), {}, { runtime: 'deno', args: ['--concurrency', '1'] })
    await checkFrontProxy((listener) => proxy.url(listener))
  })

  test('the seeds\' v2 front proxy (struct config:, hosts:) serves the same routes', async () => {
    const proxy = await startProxy(envoyFixture('seeds/sidecar-front-envoy.yaml', { service1: at(service1), service2: at(service2) }))
    proxies.push(proxy)
    const two = await fetch(`${proxy.url('ingress_http')}/service/2`)
    expect(((await two.json()) as { name: string }).name).toBe('service2')
  })
})

describe('RING_HASH and MAGLEV with a route hash_policy', () => {
  for (const [policy, runtime] of [['RING_HASH', 'bun'], ['MAGLEV', 'bun'], ['RING_HASH', 'deno'], ['MAGLEV', 'deno']] as const) {
    test(`${policy} (${runtime}): one user always reaches the endpoint Envoy would pick, users spread over all three`, async () => {
      const replicas = await Promise.all(['a', 'b', 'c'].map((name) => startUpstream({ name })))
      try {
        const yaml = envoyFixture('front-proxy.yaml', { service1: replicas.map((u) => ({ address: u.address, port: u.port })), service2: at(service2) }, [], (doc) => {
          Object.assign(doc.static_resources.clusters[0], { type: 'STATIC', lb_policy: policy })
          const route = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route
          route.hash_policy = [{ header: { header_name: 'x-user' } }]
        })
        const proxy = runtime === 'bun' ? await startProxy(yaml) : await group.proxy(`hash-${policy}-deno`, yaml, {}, { runtime, args: ['--concurrency', '1'] })
        if (runtime === 'bun') proxies.push(proxy as TestProxy)
        const nameFor = async (user: string) => ((await (await fetch(`${proxy.url('listener_0')}/service/1`, { headers: { 'x-user': user } })).json()) as { name: string }).name
        // Envoy's choice for each user: xxHash64 of the header value on Envoy's ring or table of
        // these three `address:port`s. The proxy must agree, so all 64 bits reach the balancer.
        const envoyChoice = createLoadBalancer(policy === 'RING_HASH' ? 'ring_hash' : 'maglev')
        const endpoints = replicas.map((u) => new Endpoint(u.address, u.port))
        const names = ['a', 'b', 'c']
        const seen = new Set<string>()
        for (let u = 0; u < 24; u++) {
          const first = await nameFor(`user-${u}`)
          for (let again = 0; again < 3; again++) expect(await nameFor(`user-${u}`)).toBe(first)
          expect(first).toBe(names[endpoints.indexOf(envoyChoice.pick(endpoints, { nowMs: 0, hash: xxHash64(`user-${u}`) })!)]!)
          seen.add(first)
        }
        expect([...seen].sort()).toEqual(['a', 'b', 'c'])
      } finally {
        await Promise.all(replicas.map((u) => u.stop()))
      }
    })
  }
})

for (const runtime of ['bun', 'deno'] as const) {
  describe(`zipkin sandbox (${runtime})`, () => {
    test('front proxy (v3): spans to the collector_cluster, named by the decorator; %REQ()% response headers', async () => {
      const collector = new URL(sink.url)
      const yaml = envoyFixture('zipkin-front-envoy.yaml', { service1: at(service1), zipkin: [{ address: collector.hostname, port: Number(collector.port) }] })
      const proxy = await group.proxy(`zipkin-front-${runtime}`, yaml, {}, { runtime, args: ['--concurrency', '1', '--service-cluster', 'front-proxy'] })
      const response = await fetch(`${proxy.url('ingress_http')}/trace/1`)
      expect(response.status).toBe(200)
      const received = ((await response.json()) as { headers: Record<string, string> }).headers
      // %REQ(x-request-id)% and %REQ(x-b3-traceid)% are what was sent upstream.
      expect(response.headers.get('x-request-id')).toBe(received['x-request-id']!)
      expect(response.headers.get('x-b3-traceid')).toBe(received['x-b3-traceid']!)
      const traceId = received['x-b3-traceid']!
      const spans = await eventually('the front proxy span at the sink', async () => {
        const found = sink.spans().filter((s) => s.traceId === traceId)
        return found.some((s) => s.name === 'checkAvailability') ? found : undefined
      })
      const request = spans.find((s) => s.name === 'checkAvailability')!
      expect(request.kind).toBe('CLIENT')
      expect((request.localEndpoint as { serviceName: string }).serviceName).toBe('front-proxy')
    })

    test('service1 sidecar (v2 @types): INBOUND gives SERVER spans, OUTBOUND CLIENT spans, each named by its decorator', async () => {
      const collector = new URL(sink.url)
      const yaml = envoyFixture('zipkin-service1-envoy.yaml', { local_service: at(service1), service2: at(service2), zipkin: [{ address: collector.hostname, port: Number(collector.port) }] })
      const proxy = await group.proxy(`zipkin-service1-${runtime}`, yaml, {}, { runtime, args: ['--concurrency', '1', '--service-cluster', 'service1'] })
      const traceId = runtime === 'bun' ? '463ac35c9f6413ad' : '563ac35c9f6413ae'
      const b3 = { 'x-b3-traceid': traceId, 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' }
      expect((await fetch(`${proxy.url('ingress_http')}/trace/1`, { headers: b3 })).status).toBe(200)
      expect((await fetch(`${proxy.url('egress_http')}/trace/2`, { headers: b3 })).status).toBe(200)
      const spans = await eventually('both sidecar spans at the sink', async () => {
        const found = sink.spans().filter((s) => s.traceId === traceId && (s.localEndpoint as { serviceName: string }).serviceName === 'service1')
        const names = new Set(found.map((s) => s.name))
        return names.has('checkAvailability') && names.has('checkStock') ? found : undefined
      })
      const kindOf = (name: string) => spans.filter((s) => s.name === name).map((s) => s.kind)
      expect(kindOf('checkAvailability')).toContain('SERVER')
      expect(kindOf('checkStock')).toContain('CLIENT')
    })
  })
}
