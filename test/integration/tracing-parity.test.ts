// Envoy parity of the spans through real processes and the bundled store: the request id on every
// span (so one tag search finds the whole request), attempt spans with peer.address, cluster name,
// retry.count and a remote endpoint (remoteServices and dependency links), custom_tags from the
// config, shared_span_context on the sidecar, and the single b3 header sent on to the app.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup, eventually, type ProxyProcess, type StoreProcess } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { responseSchema, validateAgainst } from '../support/zipkin-spec.ts'

type Span = {
  traceId: string
  id: string
  parentId?: string
  kind?: string
  name: string
  shared?: boolean
  localEndpoint?: { serviceName?: string }
  remoteEndpoint?: { serviceName?: string; ipv4?: string; port?: number }
  tags?: Record<string, string>
}

const group = new ProcessGroup()
let app: Upstream
let store: StoreProcess
let sidecar: ProxyProcess
let front: ProxyProcess

function hop(o: { cluster: string; direction: string; upstream: string; port: number; zipkin: string; listenerExtra?: string }): string {
  return `
node: { cluster: ${o.cluster}, id: ${o.cluster}-1 }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ${o.direction}
    address: 127.0.0.1
    port: 0
    access_log: false
    tracing:
      operation_name: ${o.direction}
${o.listenerExtra ?? ''}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: ${o.upstream} }
clusters:
  - name: ${o.upstream}
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${o.port} }] }
tracing: { zipkin: { url: "${store.url}/api/v2/spans", max_export_batch_size: 4, scheduled_delay: 0.05s, ${o.zipkin} } }
`
}

beforeAll(async () => {
  app = await startUpstream({ name: 'service1-app' })
  store = await group.zipkinStore()
  sidecar = await group.proxy(
    'sidecar',
    hop({
      cluster: 'service1',
      direction: 'ingress',
      upstream: 'local_service',
      port: app.port,
      zipkin: 'shared_span_context: true, b3_headers: both',
      listenerExtra: `      custom_tags:
        - { tag: team, literal: { value: checkout } }
        - { tag: region, environment: { name: EDGEWAY_TEST_REGION, default_value: unset } }
        - { tag: tenant, request_header: { name: x-tenant, default_value: none } }`,
    }),
    { ZIPKIN_URL: '', EDGEWAY_TEST_REGION: 'eu-west' },
  )
  front = await group.proxy('front-proxy', hop({ cluster: 'front-proxy', direction: 'egress', upstream: 'service1', port: sidecar.port('ingress'), zipkin: 'shared_span_context: false' }), { ZIPKIN_URL: '' })
}, 60_000)

afterAll(async () => {
  await group.stopAll()
  await app?.stop()
}, 30_000)

async function storeJson<T>(path: string): Promise<T> {
  const response = await fetch(`${store.url}/api/v2${path}`, { signal: AbortSignal.timeout(5000) })
  expect(response.status).toBe(200)
  return (await response.json()) as T
}

describe('span parity through front proxy → sidecar (shared) → app', () => {
  let saw: Record<string, string>
  let spans: Span[]

  test('one request; the app receives both B3 forms naming the sidecar attempt', async () => {
    const response = await fetch(`${front.url('egress')}/service/1`, { headers: { 'x-tenant': 'acme' }, signal: AbortSignal.timeout(5000) })
    expect(response.status).toBe(200)
    saw = ((await response.json()) as { headers: Record<string, string> }).headers
    expect(saw.b3).toBe(`${saw['x-b3-traceid']}-${saw['x-b3-spanid']}-1-${saw['x-b3-parentspanid']}`)
    spans = await eventually('4 spans in the store', async () => {
      const r = await fetch(`${store.url}/api/v2/trace/${saw['x-b3-traceid']}`, { signal: AbortSignal.timeout(2000) })
      const trace = r.status === 200 ? ((await r.json()) as Span[]) : []
      return trace.length >= 4 ? trace : undefined
    }, 15_000)
    expect(validateAgainst(responseSchema('/trace/{traceId}'), spans)).toEqual([])
    expect(spans).toHaveLength(4)
  }, 30_000)

  test('every span carries the request id; one annotationQuery finds the whole trace', async () => {
    const requestId = saw['x-request-id']!
    for (const span of spans) expect(span.tags?.['guid:x-request-id']).toBe(requestId)
    const query = encodeURIComponent(`guid:x-request-id=${requestId}`)
    const found = await storeJson<Span[][]>(`/traces?annotationQuery=${query}&serviceName=service1&lookback=600000`)
    expect(found).toHaveLength(1)
    expect(found[0]).toHaveLength(4)
  })

  test('attempt spans: peer.address, upstream_cluster.name, retry.count, remote endpoint = the cluster', async () => {
    const attempts = spans.filter((s) => s.name.startsWith('router '))
    expect(attempts).toHaveLength(2)
    const frontAttempt = attempts.find((s) => s.localEndpoint?.serviceName === 'front-proxy')!
    expect(frontAttempt.tags).toMatchObject({ 'peer.address': `127.0.0.1:${sidecar.port('ingress')}`, 'upstream_cluster.name': 'service1', 'retry.count': '0' })
    expect(frontAttempt.remoteEndpoint).toEqual({ serviceName: 'service1', ipv4: '127.0.0.1', port: sidecar.port('ingress') })
    const sidecarAttempt = attempts.find((s) => s.localEndpoint?.serviceName === 'service1')!
    expect(sidecarAttempt.remoteEndpoint).toEqual({ serviceName: 'local_service', ipv4: '127.0.0.1', port: app.port })
    expect(await storeJson<string[]>('/remoteServices?serviceName=front-proxy')).toEqual(['service1'])
    expect(await storeJson<string[]>('/remoteServices?serviceName=service1')).toEqual(['local_service'])
  })

  test('shared_span_context: the sidecar SERVER span reuses the front attempt id; one link per call', async () => {
    const frontAttempt = spans.find((s) => s.localEndpoint?.serviceName === 'front-proxy' && s.name.startsWith('router '))!
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(server).toMatchObject({ id: frontAttempt.id, parentId: frontAttempt.parentId, shared: true })
    expect(saw['x-b3-parentspanid']).toBe(server.id)
    const links = await storeJson<{ parent: string; child: string; callCount: number }[]>(`/dependencies?endTs=${Date.now() + 1000}&lookback=600000`)
    expect(links.map((l) => [l.parent, l.child, l.callCount])).toEqual([
      ['front-proxy', 'service1', 1],
      ['service1', 'local_service', 1],
    ])
  })

  test('custom_tags on the sidecar: literal, environment, request header; none on the front proxy', async () => {
    for (const span of spans.filter((s) => s.localEndpoint?.serviceName === 'service1')) {
      expect(span.tags).toMatchObject({ team: 'checkout', region: 'eu-west', tenant: 'acme' })
    }
    for (const span of spans.filter((s) => s.localEndpoint?.serviceName === 'front-proxy')) expect(span.tags?.team).toBeUndefined()
  })
})
