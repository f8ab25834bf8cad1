// The zipkin-tracing sandbox as real processes: client → front proxy (egress) → service1 sidecar
// (ingress) → app, both proxies reporting to the bundled store; one connected trace per request,
// every store answer valid per zipkin2-api.yaml. And a dead collector never costs a request.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup, eventually, type ProxyProcess, type StoreProcess, tracedHopYaml } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { definition, responseSchema, validateAgainst } from '../support/zipkin-spec.ts'

type Span = {
  traceId: string
  id: string
  parentId?: string
  kind?: string
  name: string
  localEndpoint?: { serviceName?: string }
  tags?: Record<string, string>
}

const REQUESTS = 5
const group = new ProcessGroup()
let app: Upstream
let store: StoreProcess
let sidecar: ProxyProcess
let front: ProxyProcess

function proxyYaml(o: Omit<Parameters<typeof tracedHopYaml>[0], 'maxExportBatchSize'>): string {
  return tracedHopYaml({ ...o, maxExportBatchSize: 16 })
}

async function storeGet(path: string, specPath?: string): Promise<unknown> {
  const response = await fetch(`${store.url}/api/v2${path}`, { signal: AbortSignal.timeout(5000) })
  expect(response.status).toBe(200)
  const body = (await response.json()) as unknown
  if (specPath) expect(validateAgainst(responseSchema(specPath), body)).toEqual([])
  return body
}

beforeAll(async () => {
  app = await startUpstream({ name: 'service1-app' })
  store = await group.zipkinStore()
  const spans = `${store.url}/api/v2/spans`
  // The sidecar finds the store through ZIPKIN_URL (base URL, no path), the front proxy through its config.
  sidecar = await group.proxy(
    'sidecar',
    proxyYaml({ cluster: 'service1', direction: 'ingress', prefix: '/', upstream: 'local_service', port: app.port, zipkinUrl: 'http://127.0.0.1:9/unused' }),
    { ZIPKIN_URL: store.url },
  )
  front = await group.proxy(
    'front-proxy',
    proxyYaml({ cluster: 'front-proxy', direction: 'egress', prefix: '/service/1', upstream: 'service1', port: sidecar.port('ingress'), zipkinUrl: spans }),
    { ZIPKIN_URL: '' },
  )
}, 60_000)

afterAll(async () => {
  await group.stopAll()
  await app?.stop()
}, 30_000)

describe('front proxy → sidecar → app, reported to the bundled store', () => {
  const traceIds: string[] = []
  const seenByApp: Record<string, string>[] = []

  test(`${REQUESTS} requests through both proxies`, async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${front.url('egress')}/service/1/item/${i}`, { signal: AbortSignal.timeout(5000) })
      expect(response.status).toBe(200)
      const echoed = (await response.json()) as { name: string; headers: Record<string, string> }
      expect(echoed.name).toBe('service1-app')
      seenByApp.push(echoed.headers)
      traceIds.push(echoed.headers['x-b3-traceid']!)
    }
    expect(new Set(traceIds).size).toBe(REQUESTS)
    for (const headers of seenByApp) {
      expect(headers['x-b3-traceid']).toMatch(/^[0-9a-f]{16}$/)
      expect(headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/)
      expect(headers['x-b3-parentspanid']).toMatch(/^[0-9a-f]{16}$/)
      expect(headers['x-b3-sampled']).toBe('1')
    }
  }, 20_000)

  test('each request is one connected trace of four spans: no orphans, one root', async () => {
    expect(traceIds).toHaveLength(REQUESTS)
    for (const [i, traceId] of traceIds.entries()) {
      const spans = await eventually(`trace ${traceId} with 4 spans in the store`, async () => {
        const response = await fetch(`${store.url}/api/v2/trace/${traceId}`, { signal: AbortSignal.timeout(2000) })
        if (response.status !== 200) return undefined
        const trace = (await response.json()) as Span[]
        return trace.length >= 4 ? trace : undefined
      }, 15_000)
      expect(validateAgainst(responseSchema('/trace/{traceId}'), spans)).toEqual([])
      expect(spans).toHaveLength(4)
      expect(spans.every((s) => s.traceId === traceId)).toBe(true)
      const ids = new Set(spans.map((s) => s.id))
      expect(ids.size).toBe(4)
      const roots = spans.filter((s) => s.parentId === undefined)
      expect(roots).toHaveLength(1)
      for (const span of spans) if (span.parentId !== undefined) expect(ids.has(span.parentId)).toBe(true)

      // front-proxy: request span (CLIENT, egress listener) → attempt span (CLIENT) → service1: SERVER → attempt CLIENT.
      const byId = new Map(spans.map((s) => [s.id, s]))
      const chain: Span[] = [roots[0]!]
      while (chain.length < 4) {
        const child = spans.find((s) => s.parentId === chain.at(-1)!.id)
        expect(child).toBeDefined()
        chain.push(child!)
      }
      expect(chain.map((s) => [s.localEndpoint?.serviceName, s.kind])).toEqual([
        ['front-proxy', 'CLIENT'],
        ['front-proxy', 'CLIENT'],
        ['service1', 'SERVER'],
        ['service1', 'CLIENT'],
      ])
      expect(chain[1]!.name).toBe('router service1 egress')
      expect(chain[3]!.name).toBe('router local_service egress')
      expect(chain[0]!.tags).toMatchObject({ node_id: 'front-proxy-1', upstream_cluster: 'service1', 'http.status_code': '200', component: 'proxy' })
      expect(chain[2]!.tags).toMatchObject({ node_id: 'service1-1', upstream_cluster: 'local_service', 'http.status_code': '200' })
      expect(chain[3]!.tags!.upstream_address).toBe(`127.0.0.1:${app.port}`)
      // The request id set at the edge travels to the sidecar and is tagged by both.
      expect(chain[2]!.tags!['guid:x-request-id']).toBe(chain[0]!.tags!['guid:x-request-id']!)
      expect(chain[0]!.tags!['guid:x-request-id']).toBe(seenByApp[i]!['x-request-id']!)
      // What the app received names the sidecar's attempt and request spans.
      expect(seenByApp[i]!['x-b3-spanid']).toBe(chain[3]!.id)
      expect(seenByApp[i]!['x-b3-parentspanid']).toBe(chain[2]!.id)
      expect(byId.get(chain[2]!.parentId!)).toBe(chain[1]!)
    }
  }, 40_000)

  test('/traces lists each request as one trace, valid as ListOfTraces', async () => {
    const traces = (await storeGet(`/traces?serviceName=front-proxy&limit=100&lookback=600000&endTs=${Date.now() + 1000}`, '/traces')) as Span[][]
    expect(validateAgainst(definition('ListOfTraces'), traces)).toEqual([])
    for (const traceId of traceIds) {
      const matching = traces.filter((trace) => trace.some((s) => s.traceId === traceId))
      expect(matching).toHaveLength(1)
      expect(matching[0]!.every((s) => s.traceId === traceId)).toBe(true)
      expect(matching[0]!).toHaveLength(4)
    }
    const many = (await storeGet(`/traceMany?traceIds=${traceIds.slice(0, 2).join(',')}`, '/traceMany')) as Span[][]
    expect(many.map((trace) => trace[0]!.traceId).sort()).toEqual(traceIds.slice(0, 2).sort())
  })

  test('/services, /spans and /remoteServices name both hops', async () => {
    const services = (await storeGet('/services', '/services')) as string[]
    expect(services).toEqual(expect.arrayContaining(['front-proxy', 'service1']))
    // The spec's GET /spans points at ListOfSpans, but Zipkin answers span names, as /services does.
    const frontSpans = (await storeGet('/spans?serviceName=front-proxy', '/services')) as string[]
    expect(frontSpans).toContain('router service1 egress')
    const sidecarSpans = (await storeGet('/spans?serviceName=service1', '/services')) as string[]
    expect(sidecarSpans).toContain('router local_service egress')
    expect((await storeGet('/remoteServices?serviceName=front-proxy', '/services')) as string[]).toBeArray()
  })

  test('/dependencies links front-proxy → service1 once per request', async () => {
    const links = (await storeGet(`/dependencies?endTs=${Date.now() + 1000}&lookback=600000`, '/dependencies')) as {
      parent: string
      child: string
      callCount?: number
      errorCount?: number
    }[]
    expect(validateAgainst(definition('DependencyLink'), links[0])).toEqual([])
    const link = links.find((l) => l.parent === 'front-proxy' && l.child === 'service1')
    expect(link).toBeDefined()
    expect(link!.callCount).toBe(REQUESTS)
    expect(link!.errorCount ?? 0).toBe(0)
    expect(links.filter((l) => l.parent === l.child)).toEqual([])
  })
})

describe('collector down', () => {
  test('200 requests all succeed and the failed reports are counted', async () => {
    const closed = await unusedPort()
    const lonely = await group.proxy(
      'front-proxy-no-collector',
      proxyYaml({ cluster: 'front-proxy', direction: 'egress', prefix: '/', upstream: 'app', port: app.port, zipkinUrl: `http://127.0.0.1:${closed}/api/v2/spans` }),
      { ZIPKIN_URL: `http://127.0.0.1:${closed}` },
    )
    let slowestMs = 0
    const started = performance.now()
    for (let batch = 0; batch < 10; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const t0 = performance.now()
          const response = await fetch(`${lonely.url('egress')}/down/${batch}`, { signal: AbortSignal.timeout(5000) })
          await response.arrayBuffer()
          slowestMs = Math.max(slowestMs, performance.now() - t0)
          return response.status
        }),
      )
      expect(statuses.filter((s) => s !== 200)).toEqual([])
    }
    const elapsedMs = performance.now() - started
    // The exporter's failures stay off the request path: no request waits for a connect to the collector.
    expect(slowestMs).toBeLessThan(2000)
    expect(elapsedMs).toBeLessThan(15_000)

    const stats = await eventually('reports_failed counted in /stats', async () => {
      const text = await (await fetch(`${lonely.url('admin')}/stats`, { signal: AbortSignal.timeout(2000) })).text()
      const value = (name: string) => Number(text.match(new RegExp(`^tracing\\.zipkin\\.${name}: (\\d+)$`, 'm'))?.[1] ?? NaN)
      const counted = { failed: value('reports_failed'), dropped: value('reports_dropped'), sent: value('spans_sent') }
      return counted.failed > 0 ? counted : undefined
    }, 15_000)
    expect(stats.sent).toBe(0)
    expect(stats.failed + stats.dropped).toBeGreaterThan(0)
    // The proxy is still healthy after all of it.
    expect((await fetch(`${lonely.url('egress')}/after`, { signal: AbortSignal.timeout(5000) })).status).toBe(200)
  }, 45_000)
})
