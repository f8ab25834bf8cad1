// --concurrency N as users run it: a primary and N real worker processes on one port, the admin
// summing them, a killed worker restarted, SIGTERM leaving no worker behind, startup errors once.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { eventually, ProcessGroup, stop, type ProxyProcess } from '../support/edgeway-processes.ts'
import { rawExchange, rawStatus } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

type Workers = { concurrency: number; workers: { index: number; pid: number; state: string; restarts: number; downstream_rq_total?: number }[] }

const group = new ProcessGroup()
let upstream: Upstream

beforeAll(async () => {
  upstream = await startUpstream({ name: 'app' })
})

afterAll(async () => {
  await group.stopAll()
  await upstream?.stop()
})

const yaml = (listenerPort = 0, extra = '') => `
node: { cluster: workers-test }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: ${listenerPort}
    access_log: false
    ${extra}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: app }
clusters:
  - name: app
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`

/** `count` GETs, each on a new connection so the kernel spreads them over the workers' sockets. */
async function freshConnections(proxy: ProxyProcess, count: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < count; i += 8) {
    const batch = Array.from({ length: Math.min(8, count - i) }, (_, j) =>
      rawExchange(proxy.port('ingress_http'), `GET /spread/${i + j} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`),
    )
    for (const answer of await Promise.all(batch)) statuses.push(rawStatus(answer) ?? 0)
  }
  return statuses
}

async function admin(proxy: ProxyProcess, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${proxy.url('admin')}${path}`, { ...init, signal: AbortSignal.timeout(5000) })
}

const workers = async (proxy: ProxyProcess) => (await (await admin(proxy, '/workers')).json()) as Workers

function stat(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}: `))
  return line === undefined ? undefined : Number(line.slice(name.length + 2))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('--concurrency 2 on Bun', () => {
  let proxy: ProxyProcess

  beforeAll(async () => {
    proxy = await group.proxy('c2', yaml(), {}, { args: ['--concurrency', '2'] })
  })

  test('both workers serve the listener; the admin sums them and /workers adds up to the total', async () => {
    expect(proxy.process.stdout()).toContain('(2 workers)')
    const statuses = await freshConnections(proxy, 80)
    expect(statuses.every((s) => s === 200)).toBe(true)

    const { concurrency, workers: rows } = await workers(proxy)
    expect(concurrency).toBe(2)
    expect(rows.map((w) => [w.index, w.state, w.restarts])).toEqual([
      [0, 'live', 0],
      [1, 'live', 0],
    ])
    expect(new Set(rows.map((w) => w.pid)).size).toBe(2)
    expect(rows.map((w) => w.pid)).not.toContain(proxy.process.child.pid)
    // Both got some: the kernel hashes new connections over the two sockets.
    for (const row of rows) expect(row.downstream_rq_total).toBeGreaterThan(0)
    expect(rows.reduce((sum, w) => sum + (w.downstream_rq_total ?? 0), 0)).toBe(80)

    const text = await (await admin(proxy, '/stats')).text()
    expect(stat(text, 'http.ingress_http.downstream_rq_total')).toBe(80)
    expect(stat(text, 'http.ingress_http.downstream_rq_2xx')).toBe(80)
    expect(stat(text, 'cluster.app.upstream_rq_total')).toBe(80)
    expect(stat(text, 'server.concurrency')).toBe(2)
    const json = (await (await admin(proxy, '/stats?format=json&filter=downstream_rq_total')).json()) as { stats: { name: string; value: number }[] }
    expect(json.stats).toEqual([{ name: 'http.ingress_http.downstream_rq_total', value: 80 }])
    const prometheus = await (await admin(proxy, '/stats/prometheus')).text()
    expect(prometheus).toContain('envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress_http"} 80')
    expect(prometheus).toContain('# TYPE envoy_http_downstream_rq_active gauge')
    expect(await (await admin(proxy, '/clusters')).text()).toContain(`app::127.0.0.1:${upstream.port}::rq_total::80`)

    const info = (await (await admin(proxy, '/server_info')).json()) as { state: string; command_line_options: { concurrency: number }; workers: unknown[] }
    expect(info.state).toBe('LIVE')
    expect(info.command_line_options.concurrency).toBe(2)
    expect(info.workers).toHaveLength(2)
  })

  test('POST /reset_counters reaches every worker; /healthcheck/fail|ok drains and restores the server', async () => {
    await freshConnections(proxy, 10)
    expect(await (await admin(proxy, '/reset_counters', { method: 'POST' })).text()).toBe('OK\n')
    const text = await (await admin(proxy, '/stats')).text()
    expect(stat(text, 'http.ingress_http.downstream_rq_total')).toBe(0)
    expect((await workers(proxy)).workers.map((w) => w.downstream_rq_total)).toEqual([0, 0])

    expect((await admin(proxy, '/healthcheck/fail', { method: 'POST' })).status).toBe(200)
    const draining = await admin(proxy, '/ready')
    expect([draining.status, await draining.text()]).toEqual([503, 'DRAINING\n'])
    expect((await admin(proxy, '/healthcheck/ok', { method: 'POST' })).status).toBe(200)
    expect((await admin(proxy, '/ready')).status).toBe(200)
  })

  test('SIGKILL of a worker: one line naming it, a restart with a new pid, and the listener keeps serving', async () => {
    const before = (await workers(proxy)).workers[1]!
    process.kill(before.pid, 'SIGKILL')
    await proxy.process.waitFor(`worker 1 (pid ${before.pid}) exited with code null (SIGKILL); restarting in`)
    expect((await freshConnections(proxy, 20)).every((s) => s === 200)).toBe(true)
    const after = await eventually('worker 1 live again', async () => {
      const row = (await workers(proxy)).workers[1]!
      return row.state === 'live' ? row : undefined
    })
    expect(after.pid).not.toBe(before.pid)
    expect(after.restarts).toBe(1)
    expect(alive(before.pid)).toBe(false)
    expect((await freshConnections(proxy, 40)).every((s) => s === 200)).toBe(true)
    expect((await workers(proxy)).workers[1]!.downstream_rq_total).toBeGreaterThan(0)
  })

  test('SIGTERM of the primary stops every worker and exits 0', async () => {
    const pids = (await workers(proxy)).workers.map((w) => w.pid)
    expect(pids.every(alive)).toBe(true)
    expect(await stop(proxy.process, 15_000)).toBe(0)
    expect(proxy.process.stdout()).toContain('SIGTERM received, draining 2 workers')
    expect(pids.filter(alive)).toEqual([])
  })
})

describe('--concurrency 2: startup errors are one message and exit 1', () => {
  test('a config error is reported once, before any worker starts', async () => {
    const path = join(group.dir, 'bad.yaml')
    writeFileSync(path, yaml(0, 'idle_timeout: soon'))
    const child = group.spawn(['-c', path, '--concurrency', '2'])
    expect(await child.exited).toBe(1)
    expect(child.stderr().match(/listeners\[0\]\.idle_timeout: expected a duration/g)).toHaveLength(1)
    expect(child.stdout()).not.toContain(' on 127.0.0.1:')
  })

  test('a listener port in use: one line naming it, no restart loop', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const path = join(group.dir, 'busy.yaml')
      writeFileSync(path, yaml(port))
      const child = group.spawn(['-c', path, '--concurrency', '2'])
      expect(await child.exited).toBe(1)
      expect(child.stderr()).toBe(`edgeway: cannot listen on 127.0.0.1:${port} for listener "ingress_http": address already in use\n`)
      expect(child.stdout()).not.toContain('restarting')
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})

test('Deno with --concurrency 2 serves through two live workers', async () => {
  const proxy = await group.proxy('deno-c2', yaml(), {}, { runtime: 'deno', args: ['--concurrency', '2'], startTimeoutMs: 30_000 })
  expect(proxy.process.stdout()).toMatch(/\(deno [^)]+\) workers-test: .*\(2 workers\)/)
  expect((await freshConnections(proxy, 40)).every((s) => s === 200)).toBe(true)
  const { workers: rows } = await workers(proxy)
  expect(rows.map((w) => w.state)).toEqual(['live', 'live'])
  expect(rows.reduce((sum, w) => sum + (w.downstream_rq_total ?? 0), 0)).toBe(40)
  const pids = rows.map((w) => w.pid)
  expect(await stop(proxy.process, 15_000)).toBe(0)
  expect(pids.filter(alive)).toEqual([])
})
