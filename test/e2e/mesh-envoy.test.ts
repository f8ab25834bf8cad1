// `npm start -- --envoy`: the same local mesh with every proxy on routes/envoy/ (Envoy v3 bootstrap
// files). Kept short beside test/e2e/mesh.test.ts: routing, round robin over DNS, one linked trace
// in Zipkin through all three services, and a clean stop.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually, isAlive, launchMesh, replicaAddress, sleep, text, type Mesh } from '../support/mesh-launcher.ts'

let mesh: Mesh

beforeAll(async () => {
  mesh = await launchMesh('mesh-envoy-e2e', ['--envoy', '--scale', 'service1=2', '--no-stdin'])
}, 90_000)

afterAll(async () => {
  await mesh?.cleanUp()
}, 30_000)

describe('npm start -- --envoy', () => {
  test('every proxy runs its routes/envoy/ file', () => {
    const output = mesh.log()
    expect(output).not.toContain('warning')
    const started = mesh.status().processes.filter((p) => p.name === 'front-proxy' || p.name.endsWith('/sidecar')).map((p) => p.name).sort()
    expect(started).toEqual(['front-proxy', 'service1-1/sidecar', 'service1-2/sidecar', 'service2-1/sidecar'])
    expect(output).toMatch(/front-proxy +\| edgeway \S+ \(bun [^)]*\) front-proxy: ingress_http on 127\.0\.0\.1:\d+, ingress_https on 127\.0\.0\.1:\d+ \(tls\), admin on 127\.0\.0\.1:\d+/)
  })

  test('/service/1 round-robins over both replicas; /service/2 answers from service 2', async () => {
    const counts = new Map<string, number>()
    for (let i = 0; i < 10; i++) {
      const answer = await text(`${mesh.edge}/service/1`)
      expect(answer.status).toBe(200)
      expect(answer.body).toContain('(service 1)')
      const address = replicaAddress(answer.body)!
      counts.set(address, (counts.get(address) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual(mesh.addressesOf('service1'))
    for (const n of counts.values()) expect(n).toBe(5)
    const two = await text(`${mesh.edge}/service/2`)
    expect(two).toMatchObject({ status: 200, body: expect.stringContaining('(service 2)') })
  })

  test('the :8443 listener of routes/envoy/front-proxy.yaml terminates TLS (DownstreamTlsContext, demo certificate)', async () => {
    const secure = await text(`https://127.0.0.1:${mesh.base + 443}/service/1`, { tls: { rejectUnauthorized: false } } as RequestInit)
    expect(secure).toMatchObject({ status: 200, body: expect.stringContaining('(service 1)') })
  })

  test('/trace/1 gives one linked trace: front-proxy → service1 → service2', async () => {
    const requestId = crypto.randomUUID()
    expect((await text(`${mesh.edge}/trace/1`, { headers: { 'x-request-id': requestId } })).status).toBe(200)
    type Span = { traceId: string; id: string; parentId?: string; localEndpoint?: { serviceName?: string } }
    const query = `${mesh.zipkin}/api/v2/traces?annotationQuery=${encodeURIComponent(`guid:x-request-id=${requestId}`)}&limit=10`
    const spans = await eventually(
      'the trace in Zipkin with all three services',
      async () => {
        const all = ((await (await fetch(query)).json()) as Span[][]).flat()
        const ids = new Set(all.map((s) => s.id))
        const services = new Set(all.map((s) => s.localEndpoint?.serviceName))
        return all.every((s) => !s.parentId || ids.has(s.parentId)) && ['front-proxy', 'service1', 'service2'].every((s) => services.has(s)) ? all : undefined
      },
      15_000,
      mesh.logFile,
    )
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
    const byId = new Map(spans.map((s) => [s.id, s]))
    const chain: string[] = []
    for (let cursor: Span | undefined = spans.find((s) => s.localEndpoint?.serviceName === 'service2'); cursor; cursor = cursor.parentId ? byId.get(cursor.parentId) : undefined) chain.push(cursor.localEndpoint!.serviceName!)
    expect([...new Set(chain)]).toEqual(['service2', 'service1', 'front-proxy'])
  }, 30_000)

  test('SIGTERM stops every process and leaves none behind', async () => {
    const pids = mesh.status().pidsSeen
    mesh.launcher.kill('SIGTERM')
    const code = await Promise.race([mesh.exited, sleep(20_000).then(() => 'timeout' as const)])
    expect(code).toBe(0)
    expect(pids.filter(isAlive)).toEqual([])
  }, 30_000)
})
