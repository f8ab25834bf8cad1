// `npm start` end to end: the real launcher (compose/local/up.ts) with real processes on free ports and
// its own loopback addresses; routing, round robin over DNS, one linked trace in Zipkin, the UI, admin
// stats, 5xx retries under ERROR_RATE=20, a killed replica failing no request, scaling, clean stop.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { curl } from '../support/curl.ts'
import { eventually as eventuallyWithin, isAlive, launchMesh, replicaAddress, sleep, stat, text, type Mesh } from '../support/mesh-launcher.ts'

let mesh: Mesh
let launcher: Mesh['launcher'] | undefined
let launcherExit: Promise<number | null>
let base = 0
let prefix = ''
let edge = ''
let admin = ''
let zipkin = ''

const status = () => mesh.status()
const log = () => mesh.log()
const addressesOf = (service: string) => mesh.addressesOf(service)
const eventually = <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number) => eventuallyWithin(what, check, timeoutMs, mesh?.logFile)

/** Runs `count` GETs with `concurrency` workers; returns every status. */
async function load(url: string, count: number, concurrency: number): Promise<number[]> {
  const statuses: number[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++
        const response = await fetch(url).catch(() => undefined)
        await response?.arrayBuffer()
        statuses.push(response?.status ?? 0)
      }
    }),
  )
  return statuses
}

beforeAll(async () => {
  mesh = await launchMesh('mesh-e2e', ['--env', 'service2:ERROR_RATE=20'])
  ;({ base, prefix, edge, admin, zipkin, launcher, exited: launcherExit } = mesh)
}, 90_000)

afterAll(async () => {
  // Safety net only: the last test stops the launcher and checks it left nothing behind.
  await mesh?.cleanUp()
}, 30_000)

describe('npm start (compose/local/up.ts)', () => {
  test('prints what runs where and the URLs to try', () => {
    const output = log()
    expect(output).toContain('edgeway local mesh is up')
    expect(output).toContain(`curl ${edge}/service/1`)
    expect(output).toContain(`curl ${edge}/trace/1`)
    expect(output).toContain(`${zipkin}/zipkin/`)
    for (const name of ['front-proxy', 'zipkin', 'service1-1/app', 'service1-3/sidecar', 'service2-1/sidecar']) expect(output).toContain(`${name.padEnd(20)}|`)
    expect(status().processes.map((p) => p.name).sort()).toEqual(
      ['front-proxy', 'zipkin', ...[1, 2, 3].flatMap((i) => [`service1-${i}/app`, `service1-${i}/sidecar`]), 'service2-1/app', 'service2-1/sidecar'].sort(),
    )
    expect(addressesOf('service1')).toEqual([1, 2, 3].map((i) => `${prefix}.1.${i}`))
  })

  test('/service/1 and /service/2 answer from the right service', async () => {
    const one = await text(`${edge}/service/1`)
    expect(one.status).toBe(200)
    expect(one.body).toContain('Hello from behind edgeway (service 1)!')
    expect(addressesOf('service1')).toContain(replicaAddress(one.body)!)
    // service2 runs with ERROR_RATE=20 for the retry test: its injected 500s come from service 2 too.
    const answers = await Promise.all(Array.from({ length: 10 }, () => text(`${edge}/service/2`)))
    const ok = answers.filter((a) => a.status === 200)
    expect(ok.length).toBeGreaterThan(0)
    for (const answer of ok) {
      expect(answer.body).toContain('Hello from behind edgeway (service 2)!')
      expect(replicaAddress(answer.body)).toBe(`${prefix}.2.1`)
    }
    for (const answer of answers.filter((a) => a.status !== 200)) expect(answer).toMatchObject({ status: 500, body: expect.stringContaining('Service 2: Ooops') })
  })

  test('the sandbox\'s curl -k https://localhost:8443/service/1 (here base+443), over HTTP/2 and HTTP/1.1', async () => {
    expect(log()).toContain(`curl -k https://localhost:${base + 443}/service/1`)
    for (const version of ['--http2', '--http1.1']) {
      const answer = await curl(['-k', version, `https://localhost:${base + 443}/service/1`])
      expect(answer.status).toBe(200)
      expect(answer.httpVersion).toBe(version === '--http2' ? '2' : '1.1')
      expect(answer.body).toContain('Hello from behind edgeway (service 1)!')
    }
  })

  test('30 requests to /service/1 reach all three replicas, round robin', async () => {
    const counts = new Map<string, number>()
    for (let i = 0; i < 30; i++) {
      const answer = await text(`${edge}/service/1`)
      expect(answer.status).toBe(200)
      const address = replicaAddress(answer.body)!
      counts.set(address, (counts.get(address) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual(addressesOf('service1'))
    for (const n of counts.values()) expect(n).toBe(10)
  })

  test('/trace/1 answers and its trace reaches Zipkin: front-proxy, service1, service2 spans, linked', async () => {
    // service2 fails 20 % of its calls and service1's sidecar retries them; a rare triple failure is a 503.
    // Each try gets its own request id: a failed try is a trace of its own and must not join the query.
    let requestId = ''
    let answer = { status: 0, body: '' }
    for (let i = 0; i < 5 && answer.status !== 200; i++) {
      requestId = crypto.randomUUID()
      answer = await text(`${edge}/trace/1`, { headers: { 'x-request-id': requestId } })
    }
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('(service 1)')

    type Span = { traceId: string; id: string; parentId?: string; kind?: string; localEndpoint?: { serviceName?: string } }
    const query = `${zipkin}/api/v2/traces?annotationQuery=${encodeURIComponent(`guid:x-request-id=${requestId}`)}&limit=10`
    const spans = await eventually(
      'the trace in Zipkin with all three services',
      async () => {
        const traces = (await (await fetch(query)).json()) as Span[][]
        const all = traces.flat()
        const services = new Set(all.map((s) => s.localEndpoint?.serviceName))
        // Each worker process exports its own spans: wait until no span's parent is still on its way.
        const ids = new Set(all.map((s) => s.id))
        const complete = all.every((s) => !s.parentId || ids.has(s.parentId))
        return complete && ['front-proxy', 'service1', 'service2'].every((s) => services.has(s)) ? all : undefined
      },
      15_000,
    )
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
    const byId = new Map(spans.map((s) => [s.id, s]))
    const roots = spans.filter((s) => !s.parentId)
    expect(roots.map((s) => s.localEndpoint?.serviceName)).toEqual(['front-proxy'])
    // Linked: from every span, parents lead up to the front proxy's root span.
    for (const span of spans) {
      let cursor: Span | undefined = span
      for (let hops = 0; cursor?.parentId && hops < 20; hops++) cursor = byId.get(cursor.parentId)
      expect({ span: span.id, service: span.localEndpoint?.serviceName, reachesRoot: cursor === roots[0] }).toMatchObject({ reachesRoot: true })
    }
    const service2 = spans.find((s) => s.localEndpoint?.serviceName === 'service2')!
    const chain: string[] = []
    for (let cursor: Span | undefined = service2; cursor; cursor = cursor.parentId ? byId.get(cursor.parentId) : undefined) chain.push(cursor.localEndpoint!.serviceName!)
    expect([...new Set(chain)]).toEqual(['service2', 'service1', 'front-proxy'])
  }, 30_000)

  test('/zipkin/ serves the UI', async () => {
    const response = await fetch(`${zipkin}/zipkin/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    const body = await response.text()
    expect(body).toContain('<html')
    expect(body).toContain('front-proxy')
  })

  test('the front proxy admin /stats shows the per-cluster counters', async () => {
    const body = await (await fetch(`${admin}/stats`)).text()
    for (const cluster of ['service1', 'service2']) {
      for (const name of ['upstream_rq_total', 'upstream_rq_2xx', 'upstream_rq_retry', 'upstream_cx_connect_fail', 'membership_healthy', 'membership_total'])
        expect(body).toMatch(new RegExp(`^cluster\\.${cluster}\\.${name}: \\d+$`, 'm'))
    }
    expect(await stat(admin, 'cluster.service1.membership_healthy')).toBe(3)
    expect(await stat(admin, 'cluster.service2.membership_healthy')).toBe(1)
    expect(await stat(admin, 'cluster.service1.upstream_rq_total')).toBeGreaterThanOrEqual(31)
  })

  test("the front proxy's fault filter is off until /runtime_modify turns it on: 503 FI, then off again", async () => {
    const abortPercent = (value: number) => fetch(`${admin}/runtime_modify?fault.http.abort.abort_percent=${value}`, { method: 'POST' })
    expect((await abortPercent(100)).status).toBe(200)
    try {
      const aborted = await fetch(`${edge}/service/1`)
      expect(aborted.status).toBe(503)
      expect(await aborted.text()).toContain('fault filter abort')
      expect(await stat(admin, 'http.ingress_http.fault.aborts_injected')).toBe(1)
    } finally {
      await abortPercent(0)
    }
    expect((await fetch(`${edge}/service/1`)).status).toBe(200)
  })

  test('ERROR_RATE=20 on service2, retried by the service1 sidecars: /trace/1 succeeds >= 98 % of 500', async () => {
    const sidecarAdmins = addressesOf('service1').map((address) => `http://${address}:${base + 1}`)
    const retriesBefore = (await Promise.all(sidecarAdmins.map((url) => stat(url, 'cluster.service2.upstream_rq_retry')))).reduce((a, b) => a + b, 0)
    const statuses = await load(`${edge}/trace/1`, 500, 4)
    const ok = statuses.filter((s) => s === 200).length
    expect(statuses.length).toBe(500)
    if (ok / 500 < 0.98) {
      // Say why before failing: which statuses, and whether the sidecars' retry breaker (max_retries) overflowed.
      const overflow = await Promise.all(sidecarAdmins.map((url) => stat(url, 'cluster.service2.upstream_rq_retry_overflow')))
      const failures: Record<number, number> = {}
      for (const s of statuses) if (s !== 200) failures[s] = (failures[s] ?? 0) + 1
      console.error(`/trace/1 failures by status: ${JSON.stringify(failures)}; retry overflow per sidecar: ${overflow.join(', ')}`)
    }
    expect(ok / 500).toBeGreaterThanOrEqual(0.98)
    // Without the retries about 100 of them would fail: they happened, in the sidecars' egress.
    const retriesAfter = (await Promise.all(sidecarAdmins.map((url) => stat(url, 'cluster.service2.upstream_rq_retry')))).reduce((a, b) => a + b, 0)
    expect(retriesAfter - retriesBefore).toBeGreaterThan(50)
  }, 60_000)

  test('killing a service1 replica (sidecar and app) during a steady stream fails no request; it is reported and restarted', async () => {
    const victim = status().processes.filter((p) => p.group === 'service1-2')
    expect(victim.map((p) => p.name).sort()).toEqual(['service1-2/app', 'service1-2/sidecar'])
    const sidecarPid = victim.find((p) => p.name.endsWith('/sidecar'))!.pid!
    const appPid = victim.find((p) => p.name.endsWith('/app'))!.pid!
    const changesBefore = await stat(admin, 'cluster.service1.membership_change')

    const statuses: number[] = []
    let streaming = true
    const stream = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (streaming) {
          const response = await fetch(`${edge}/service/1`).catch(() => undefined)
          await response?.arrayBuffer()
          statuses.push(response?.status ?? 0)
        }
      }),
    )
    await sleep(1_000)
    // Sidecar first: an ingress without its app would answer 503 itself, which is no connect failure.
    process.kill(sidecarPid, 'SIGKILL')
    process.kill(appPid, 'SIGKILL')
    const killedAt = statuses.length
    // The replica leaves DNS, the proxies refresh (1 s), the launcher restarts it and it comes back.
    const back = await eventually(
      'service1-2 restarted and back in DNS',
      () => {
        const s = status()
        const processes = s.processes.filter((p) => p.group === 'service1-2')
        const replica = s.replicas.find((r) => r.name === 'service1-2')
        return processes.every((p) => p.restarts >= 1 && p.pid !== undefined && p.pid !== sidecarPid && p.pid !== appPid) && replica?.inDns ? processes : undefined
      },
      20_000,
    )
    await eventually('the front proxy saw it leave and come back', async () => (await stat(admin, 'cluster.service1.membership_change')) >= changesBefore + 2, 10_000)
    await eventually('the front proxy has three replicas again', async () => (await stat(admin, 'cluster.service1.membership_healthy')) === 3, 10_000)
    await sleep(500)
    streaming = false
    await stream

    expect(statuses.length - killedAt).toBeGreaterThan(50)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(back.length).toBe(2)
    const output = log()
    expect(output).toMatch(/service1-2\/sidecar exited with signal SIGKILL .*restarting in/)
    expect(output).toMatch(/service1-2\/app exited with signal SIGKILL .*restarting in/)
    expect(output).toContain('service1-2 left DNS')
    // The restarted replica takes requests again.
    const seen = new Set((await Promise.all(Array.from({ length: 6 }, () => text(`${edge}/service/1`)))).map((a) => replicaAddress(a.body)))
    expect(seen.has(`${prefix}.1.2`)).toBe(true)
  }, 60_000)

  test('"scale service1=4" on stdin adds a replica the front proxy balances to', async () => {
    launcher!.stdin!.write('scale service1=4\n')
    await eventually('service1-4 in DNS', () => status().replicas.find((r) => r.name === 'service1-4')?.inDns, 20_000)
    await eventually('the front proxy has four replicas', async () => (await stat(admin, 'cluster.service1.membership_healthy')) === 4, 10_000)
    const seen = new Set<string>()
    for (let i = 0; i < 8; i++) seen.add(replicaAddress((await text(`${edge}/service/1`)).body)!)
    expect([...seen].sort()).toEqual([1, 2, 3, 4].map((i) => `${prefix}.1.${i}`))
  }, 40_000)

  test('"scale service1=3" drains the extra replica (out of DNS, then stopped) without failing a request', async () => {
    const pids = status().processes.filter((p) => p.group === 'service1-4').map((p) => p.pid!)
    expect(pids.length).toBe(2)
    const statuses: number[] = []
    let streaming = true
    const stream = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (streaming) {
          const response = await fetch(`${edge}/service/1`).catch(() => undefined)
          await response?.arrayBuffer()
          statuses.push(response?.status ?? 0)
        }
      }),
    )
    launcher!.stdin!.write('scale service1=3\n')
    await eventually('service1-4 stopped', () => !status().processes.some((p) => p.group === 'service1-4'), 15_000)
    streaming = false
    await stream
    expect(statuses.length).toBeGreaterThan(50)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(await stat(admin, 'cluster.service1.membership_total')).toBe(3)
    expect(pids.filter(isAlive)).toEqual([])
  }, 30_000)

  test('SIGTERM stops every process and leaves none behind', async () => {
    const pids = status().pidsSeen
    expect(pids.length).toBeGreaterThanOrEqual(14) // 10 at start, 2 restarted, 2 scaled up (and down)
    launcher!.kill('SIGTERM')
    const code = await Promise.race([launcherExit, sleep(20_000).then(() => 'timeout' as const)])
    expect(code).toBe(0)
    expect(status().state).toBe('stopped')
    expect(pids.filter(isAlive)).toEqual([])
    expect(await fetch(`${edge}/service/1`).then(() => 'answered', () => 'refused')).toBe('refused')
  }, 30_000)
})
