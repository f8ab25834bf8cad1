// Graceful drain on SIGTERM as users see it, on Bun and Deno, one process and two workers: a load of
// slow requests, SIGTERM mid-way; every accepted request completes 2xx; new connections during the
// drain are answered (with `connection: close`) until the listener closes; /ready says DRAINING;
// then the process exits 0 and the port refuses. Also POST /drain_listeners and /healthcheck/fail.
// Each on the byte-level listener too (EDGEWAY_LISTENER=bytes on Bun), whose connections drain themselves.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import http from 'node:http'
import { eventually, ProcessGroup, stop, type ProxyProcess } from '../support/edgeway-processes.ts'
import { servedByByteListener } from '../support/byte-listener-probe.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const SLOW_MS = 600
const group = new ProcessGroup()
let upstream: Upstream

beforeAll(async () => {
  upstream = await startUpstream({
    handler: async () => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS))
      return new Response('slow and fine\n')
    },
  })
})
afterAll(async () => {
  await group.stopAll()
  await upstream.stop()
})

const yaml = () => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: slow, timeout: 10s } }]
clusters:
  - { name: slow, load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] } }
`

type Answer = { status: number; connection: string | undefined; body: string }

/** One request on a keep-alive connection of its own (a fresh agent): what a new client during the drain does. */
function request(port: number, path = '/'): Promise<Answer> {
  const agent = new http.Agent({ keepAlive: true })
  return new Promise<Answer>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
  }).finally(() => agent.destroy())
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function drainUnderLoad(proxy: ProxyProcess) {
  const port = proxy.port('ingress_http')
  const before = Array.from({ length: 30 }, () => request(port))
  await sleep(SLOW_MS / 3)
  proxy.process.kill('SIGTERM')
  await sleep(100)
  const ready = await fetch(`${proxy.url('admin')}/ready`).then(async (r) => ({ status: r.status, body: (await r.text()).trim() }))
  // New connections while the first load is still in flight: accepted, answered, told to close.
  const during = Array.from({ length: 5 }, () => request(port))
  const answers = await Promise.allSettled([...before, ...during])
  const code = await proxy.process.exited
  const refused = await request(port).then(
    () => false,
    () => true,
  )
  return { answers, ready, code, refused }
}

const SERVERS = [
  { name: 'bun', runtime: 'bun', env: {} },
  { name: 'deno', runtime: 'deno', env: {} },
  { name: 'bun with EDGEWAY_LISTENER=bytes', runtime: 'bun', env: { EDGEWAY_LISTENER: 'bytes' } },
] as const

for (const { name, runtime, env } of SERVERS) {
  describe(`${name}: SIGTERM drains`, () => {
    for (const concurrency of ['1', '2']) {
      test(`--concurrency ${concurrency}: every accepted request completes 2xx, the late ones with connection: close, exit 0`, async () => {
        const proxy = await group.proxy(`drain-${runtime}-${Object.keys(env).length}-${concurrency}`, yaml(), env, { runtime, args: ['--concurrency', concurrency, '--drain-time-s', '8'], startTimeoutMs: 30_000 })
        if (runtime === 'bun') expect(await servedByByteListener(proxy.port('ingress_http'))).toBe('EDGEWAY_LISTENER' in env)
        const { answers, ready, code, refused } = await drainUnderLoad(proxy)
        const failures = answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason))
        expect(failures).toEqual([])
        const done = answers.map((a) => (a as PromiseFulfilledResult<Answer>).value)
        expect(done.map((a) => a.status)).toEqual(Array(35).fill(200))
        expect(done.every((a) => a.body === 'slow and fine\n')).toBe(true)
        expect(done.slice(30).map((a) => a.connection)).toEqual(Array(5).fill('close'))
        expect(ready).toEqual({ status: 503, body: 'DRAINING' })
        expect(code).toBe(0)
        expect(refused).toBe(true)
        expect(proxy.process.stdout()).toContain('SIGTERM received, draining')
      }, 60_000)
    }
  })
}

for (const { name, env } of [SERVERS[0], SERVERS[2]]) describe(`admin: drain without stopping, ${name}`, () => {
  let proxy: ProxyProcess
  beforeAll(async () => {
    proxy = await group.proxy(`drain-admin-${Object.keys(env).length}`, yaml(), env, { args: ['--concurrency', '1', '--drain-time-s', '1'] })
    expect(await servedByByteListener(proxy.port('ingress_http'))).toBe('EDGEWAY_LISTENER' in env)
  })
  afterAll(() => stop(proxy.process))

  test('POST /healthcheck/fail: /ready 503 and every response carries connection: close; /healthcheck/ok undoes it', async () => {
    const port = proxy.port('ingress_http')
    expect((await request(port)).connection).not.toBe('close')
    await fetch(`${proxy.url('admin')}/healthcheck/fail`, { method: 'POST' })
    expect((await fetch(`${proxy.url('admin')}/ready`)).status).toBe(503)
    expect(await request(port)).toMatchObject({ status: 200, connection: 'close' })
    await fetch(`${proxy.url('admin')}/healthcheck/ok`, { method: 'POST' })
    expect((await request(port)).connection).not.toBe('close')
  })

  test('POST /drain_listeners?graceful: connection: close for the drain time, then the listener stops accepting; admin stays', async () => {
    const port = proxy.port('ingress_http')
    const response = await fetch(`${proxy.url('admin')}/drain_listeners?graceful`, { method: 'POST' })
    expect(response.status).toBe(200)
    expect(await request(port)).toMatchObject({ status: 200, connection: 'close' })
    await eventually('listener closed', () => request(port).then(() => undefined, () => true), 10_000)
    expect((await fetch(`${proxy.url('admin')}/ready`)).status).toBe(503)
    const stats = await (await fetch(`${proxy.url('admin')}/stats?filter=listener_manager|drain_close|server.state`)).text()
    expect(stats).toContain('listener_manager.listener_stopped: 1')
    expect(stats).toContain('server.state: 1')
    expect(stats).toMatch(/http\.ingress_http\.downstream_cx_drain_close: [1-9]/)
  })
})
