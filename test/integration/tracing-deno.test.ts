// The mesh's core across runtimes: a front proxy on Deno → a sidecar on Bun → app, both reporting
// to a recording collector; B3 reaches the app, the spans are valid Zipkin v2 and form one trace.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { ROOT } from '../support/edgeway.ts'
import { ProcessGroup, stop, type ProxyProcess, tracedHopYaml } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { startZipkinSink, type ZipkinSink } from '../support/zipkin-sink.ts'
import { definition, validateAgainst } from '../support/zipkin-spec.ts'

type Span = { traceId: string; id: string; parentId?: string; kind?: string; name: string; localEndpoint: { serviceName: string }; tags: Record<string, string> }

const T128 = '463ac35c9f6413ad48485a3953bb6124'
const SPAN = 'a2fb4a1d1a96d312'
const group = new ProcessGroup()
let app: Upstream
let sink: ZipkinSink
let sidecar: ProxyProcess
let front: ProxyProcess


beforeAll(async () => {
  // A missing runtime fails loudly, never skips.
  expect(existsSync(`${ROOT}node_modules/.bin/deno`)).toBe(true)
  app = await startUpstream({ name: 'service1-app' })
  sink = await startZipkinSink()
  sidecar = await group.proxy('sidecar', tracedHopYaml({ cluster: 'service1', direction: 'ingress', upstream: 'local_service', port: app.port, zipkinUrl: sink.url }), { ZIPKIN_URL: '' }, { runtime: 'bun' })
  // ZIPKIN_URL (with the full path) reaches the Deno process through its environment.
  front = await group.proxy(
    'front-proxy-deno',
    tracedHopYaml({ cluster: 'front-proxy', direction: 'egress', upstream: 'service1', port: sidecar.port('ingress'), zipkinUrl: 'http://127.0.0.1:9/unused' }),
    { ZIPKIN_URL: sink.url },
    { runtime: 'deno', startTimeoutMs: 45_000 },
  )
}, 60_000)

afterAll(async () => {
  await group.stopAll()
  await app?.stop()
  await sink?.close()
}, 30_000)

test('the front proxy really runs on Deno', () => {
  expect(front.process.stdout()).toMatch(/^edgeway \S+ \(deno [^)]+\) front-proxy: /m)
  expect(sidecar.process.stdout()).toMatch(/^edgeway \S+ \(bun [^)]+\) service1: /m)
})

test('B3 from the Deno hop reaches the app; both runtimes report one connected trace', async () => {
  const sent = [
    await fetch(`${front.url('egress')}/service/1/a`, { signal: AbortSignal.timeout(5000) }),
    await fetch(`${front.url('egress')}/service/1/b`, { headers: { 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }, signal: AbortSignal.timeout(5000) }),
  ]
  const seen: Record<string, string>[] = []
  for (const response of sent) {
    expect(response.status).toBe(200)
    seen.push(((await response.json()) as { headers: Record<string, string> }).headers)
  }
  for (const headers of seen) {
    expect(headers['x-b3-traceid']).toMatch(/^(?:[0-9a-f]{16}|[0-9a-f]{32})$/)
    expect(headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/)
    expect(headers['x-b3-parentspanid']).toMatch(/^[0-9a-f]{16}$/)
    expect(headers['x-b3-sampled']).toBe('1')
  }
  expect(seen[0]!['x-b3-traceid']).toHaveLength(16)
  expect(seen[1]!['x-b3-traceid']).toBe(T128)

  const spans = (await sink.waitForSpans(8, 15_000)) as Span[]
  expect(spans).toHaveLength(8)
  for (const report of sink.reports) expect(validateAgainst(definition('ListOfSpans'), report.body)).toEqual([])
  // src/main.ts names the runtime in the exporter's user-agent: `edgeway/<version> (deno <version>)`.
  const fromDeno = sink.reports.filter((r) => /^edgeway\/\S+ \(deno \S+\)$/.test(String(r.headers['user-agent'])))
  expect(fromDeno.flatMap((r) => r.body as Span[]).every((s) => s.localEndpoint.serviceName === 'front-proxy')).toBe(true)
  expect(fromDeno.flatMap((r) => r.body as Span[])).toHaveLength(4)

  for (const [i, headers] of seen.entries()) {
    const trace = spans.filter((s) => s.traceId === headers['x-b3-traceid'])
    expect(trace).toHaveLength(4)
    const ids = new Set(trace.map((s) => s.id))
    expect(ids.size).toBe(4)
    const roots = trace.filter((s) => s.parentId === undefined || !ids.has(s.parentId))
    expect(roots).toHaveLength(1)
    expect(roots[0]!.parentId).toBe(i === 1 ? SPAN : undefined)
    const chain = [roots[0]!]
    while (chain.length < 4) chain.push(trace.find((s) => s.parentId === chain.at(-1)!.id)!)
    expect(chain.map((s) => [s?.localEndpoint.serviceName, s?.kind])).toEqual([
      ['front-proxy', 'CLIENT'],
      ['front-proxy', 'CLIENT'],
      ['service1', 'SERVER'],
      ['service1', 'CLIENT'],
    ])
    expect(chain[0]!.tags).toMatchObject({ node_id: 'front-proxy-1', 'http.status_code': '200', upstream_cluster: 'service1', component: 'proxy' })
    expect(chain[1]!.tags.upstream_address).toBe(`127.0.0.1:${sidecar.port('ingress')}`)
    expect(chain[0]!.tags['guid:x-request-id']).toBe(headers['x-request-id']!)
    expect(headers['x-b3-spanid']).toBe(chain[3]!.id)
    expect(headers['x-b3-parentspanid']).toBe(chain[2]!.id)
  }
}, 40_000)

test('SIGTERM on Deno flushes and exits 0', async () => {
  const before = sink.spans().length
  const response = await fetch(`${front.url('egress')}/service/1/last`, { signal: AbortSignal.timeout(5000) })
  expect(response.status).toBe(200)
  await response.arrayBuffer()
  const code = await stop(front.process, 15_000)
  expect(code).toBe(0)
  // Checked at the exit event: the front proxy's two spans are in, sent by the timer or the shutdown.
  const mine = (sink.spans() as Span[]).slice(before).filter((s) => s.localEndpoint.serviceName === 'front-proxy')
  expect(mine).toHaveLength(2)
  expect(mine[0]!.traceId).toBe(mine[1]!.traceId)
}, 30_000)
