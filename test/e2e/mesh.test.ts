// `npm start` end to end: the real launcher (compose/local/up.ts) with real processes on free ports and
// its own loopback addresses; routing, round robin over DNS, one linked trace in Zipkin, the UI, admin
// stats, 5xx retries under ERROR_RATE=20, a killed replica failing no request, scaling, clean stop.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { MeshStatus } from '../../compose/local/status-file.ts'

const ROOT = join(import.meta.dir, '..', '..')
const BUN = join(ROOT, 'node_modules/.bin/bun')
const RESULTS = join(ROOT, 'test-results')
const LOG = join(RESULTS, 'mesh-e2e.log')
const STATUS = join(RESULTS, `mesh-e2e-status-${process.pid}.json`)

let launcher: ChildProcess | undefined
let launcherExit: Promise<number | null>
let base = 0
let prefix = ''
let edge = ''
let admin = ''
let zipkin = ''

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const status = (): MeshStatus => JSON.parse(readFileSync(STATUS, 'utf8'))
const log = () => readFileSync(LOG, 'utf8')
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; launcher log in ${LOG}`)
    await sleep(100)
  }
}

function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(port, address, () => server.close(() => done(true)))
  })
}

function udpFree(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createSocket('udp4')
    socket.once('error', () => done(false))
    socket.bind(port, address, () => socket.close(() => done(true)))
  })
}

/** A base port whose derived ports are all free, and a loopback /16 nobody else here uses. */
async function pickPorts(): Promise<{ base: number; prefix: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 38_000)
    const prefix = `127.${100 + Math.floor(Math.random() * 150)}`
    const checks = await Promise.all([
      ...[0, 1, 1411].map((offset) => tcpFree('127.0.0.1', candidate + offset)),
      udpFree('127.0.0.1', candidate + 53),
      ...[0, 1, 80, 1000].map((offset) => tcpFree(`${prefix}.1.1`, candidate + offset)),
    ])
    if (checks.every(Boolean)) return { base: candidate, prefix }
  }
  throw new Error('no free port range found')
}

const text = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init)
  return { status: response.status, body: await response.text() }
}

const stat = async (url: string, name: string): Promise<number> => {
  const body = await (await fetch(`${url}/stats?filter=${encodeURIComponent(`^${name.replaceAll('.', '\\.')}$`)}`)).text()
  const match = new RegExp(`^${name.replaceAll('.', '\\.')}: (\\d+)$`, 'm').exec(body)
  if (!match) throw new Error(`no stat ${name} in:\n${body}`)
  return Number(match[1])
}

const replicaAddress = (body: string) => /resolvedhostname: (\S+)/.exec(body)?.[1]
const addressesOf = (service: string) => status().replicas.filter((r) => r.service === service).map((r) => r.address).sort()

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
  mkdirSync(RESULTS, { recursive: true })
  ;({ base, prefix } = await pickPorts())
  edge = `http://127.0.0.1:${base}`
  admin = `http://127.0.0.1:${base + 1}`
  zipkin = `http://127.0.0.1:${base + 1411}`
  const out = openSync(LOG, 'w')
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' }
  for (const name of ['EDGEWAY_HTTP_PORT', 'EDGEWAY_ADMIN_PORT', 'ZIPKIN_PORT', 'ZIPKIN_URL', 'DNS_PORT', 'DNS_REFRESH_RATE', 'EDGEWAY_BASE_PORT']) delete env[name]
  launcher = spawn(BUN, ['compose/local/up.ts', '--base-port', String(base), '--ip-prefix', prefix, '--status-file', STATUS, '--env', 'service2:ERROR_RATE=20'], {
    cwd: ROOT,
    env,
    stdio: ['pipe', out, out],
  })
  closeSync(out)
  launcherExit = new Promise((done) => launcher!.once('exit', (code) => done(code)))
  await eventually('launcher ready', () => status().state === 'ready', 60_000)
  await eventually('/service/1 answers 200', async () => (await fetch(`${edge}/service/1`)).status === 200, 10_000)
}, 90_000)

afterAll(async () => {
  // Safety net only: the last test stops the launcher and checks it left nothing behind.
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGTERM')
    await Promise.race([launcherExit, sleep(15_000)])
  }
  try {
    for (const pid of status().pidsSeen) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone, as it should be
      }
    }
    rmSync(STATUS, { force: true })
  } catch {
    // no status file: the launcher never started
  }
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
    const requestId = crypto.randomUUID()
    // service2 fails 20 % of its calls and service1's sidecar retries them; a rare triple failure is a 503.
    let answer = { status: 0, body: '' }
    for (let i = 0; i < 5 && answer.status !== 200; i++) answer = await text(`${edge}/trace/1`, { headers: { 'x-request-id': requestId } })
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

  test('ERROR_RATE=20 on service2, retried by the service1 sidecars: /trace/1 succeeds >= 98 % of 500', async () => {
    const sidecarAdmins = addressesOf('service1').map((address) => `http://${address}:${base + 1}`)
    const retriesBefore = (await Promise.all(sidecarAdmins.map((url) => stat(url, 'cluster.service2.upstream_rq_retry')))).reduce((a, b) => a + b, 0)
    const statuses = await load(`${edge}/trace/1`, 500, 4)
    const ok = statuses.filter((s) => s === 200).length
    expect(statuses.length).toBe(500)
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
