// Hot reload as users run it, on Bun and Deno: SIGHUP, POST /reload and --watch-config re-read the
// file; a valid file becomes the next generation (new routes and clusters at once, listeners added
// and removed, counters kept, version in /config_dump and /server_info), an invalid one is rejected
// with every problem while the old config keeps serving; 20 reloads under load lose no request.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually, ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const group = new ProcessGroup()
let blue: Upstream
let green: Upstream

beforeAll(async () => {
  blue = await startUpstream({ handler: () => new Response('blue\n') })
  green = await startUpstream({ handler: () => new Response('green\n') })
})
afterAll(async () => {
  await group.stopAll()
  await Promise.all([blue.stop(), green.stop()])
})

/** `color` picks the upstream of cluster `app`; `extra` adds a listener on that port. */
function yaml(color: 'blue' | 'green', extra?: number): string {
  const port = color === 'blue' ? blue.port : green.port
  const listener = (name: string, listenPort: number) => `
  - name: ${name}
    address: 127.0.0.1
    port: ${listenPort}
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]`
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener('ingress_http', 0)}${extra ? listener('extra', extra) : ''}
clusters:
  - { name: app, connect_timeout: 1s, load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] } }
  - { name: ${color}_only, load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] } }
`
}

const text = async (url: string, init?: RequestInit) => (await fetch(url, init)).text()
const stat = (stats: string, name: string) => Number(new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(stats)?.[1] ?? NaN)

async function start(name: string, runtime: 'bun' | 'deno', args: string[] = []): Promise<{ proxy: ProxyProcess; file: string }> {
  const proxy = await group.proxy(name, yaml('blue'), {}, { runtime, args: ['--concurrency', '1', ...args], startTimeoutMs: 30_000 })
  return { proxy, file: join(group.dir, `${name}.yaml`) }
}

for (const runtime of ['bun', 'deno'] as const) {
  describe(`${runtime}: reload`, () => {
    test('SIGHUP: new routes and clusters at once, a listener added then removed, counters kept, version shown', async () => {
      const { proxy, file } = await start(`reload-${runtime}`, runtime)
      const base = proxy.url('ingress_http')
      const admin = proxy.url('admin')
      expect(await text(`${base}/`)).toBe('blue\n')
      const extraPort = await unusedPort()
      writeFileSync(file, yaml('green', extraPort))
      proxy.process.kill('SIGHUP')
      await proxy.process.waitFor('version 2', 15_000)
      expect(await text(`${base}/`)).toBe('green\n')
      expect(await text(`http://127.0.0.1:${extraPort}/`)).toBe('green\n')
      // Envoy's shape: configs[1] is the ClustersConfigDump, with the generation as its version_info.
      const dump = (await (await fetch(`${admin}/config_dump`)).json()) as { configs: [unknown, { version_info: string; static_clusters: { cluster: { name: string } }[] }] }
      expect(dump.configs[1].version_info).toBe('2')
      expect(dump.configs[1].static_clusters.map((c) => c.cluster.name)).toEqual(['app', 'green_only'])
      const info = (await (await fetch(`${admin}/server_info`)).json()) as { config_version: string; config_loaded_at: string; state: string }
      expect(info).toMatchObject({ config_version: '2', state: 'LIVE' })
      expect(Date.parse(info.config_loaded_at)).toBeGreaterThan(Date.now() - 60_000)
      const stats = await text(`${admin}/stats`)
      expect(stat(stats, 'http.ingress_http.downstream_rq_total')).toBe(2)
      expect(stat(stats, 'server.config_reload.update_success')).toBe(1)
      expect(stat(stats, 'listener_manager.listener_added')).toBe(2)

      writeFileSync(file, yaml('blue'))
      proxy.process.kill('SIGHUP')
      await proxy.process.waitFor('version 3', 15_000)
      expect(await text(`${base}/`)).toBe('blue\n')
      await eventually('extra listener closed', () => fetch(`http://127.0.0.1:${extraPort}/`).then(() => undefined, () => true))
      expect(proxy.process.child.exitCode).toBeNull()
    }, 60_000)

    test('an invalid file is rejected with every problem; the running config keeps serving', async () => {
      const { proxy, file } = await start(`reject-${runtime}`, runtime)
      writeFileSync(file, yaml('green').replace('connect_timeout: 1s', 'connect_timeout: soon').replace('access_log: false', 'access_log: false\n    idle_timeout: never'))
      const response = await fetch(`${proxy.url('admin')}/reload`, { method: 'POST' })
      expect(response.status).toBe(400)
      const body = await response.text()
      expect(body).toContain('connect_timeout')
      expect(body).toContain('listeners[0].idle_timeout')
      await proxy.process.waitFor('config reload rejected', 5_000)
      expect(await text(`${proxy.url('ingress_http')}/`)).toBe('blue\n')
      const stats = await text(`${proxy.url('admin')}/stats`)
      expect(stat(stats, 'server.config_reload.update_rejected')).toBe(1)
      expect(proxy.process.child.exitCode).toBeNull()
    }, 60_000)
  })
}

test('--concurrency 2: SIGHUP to the primary and its workers (a hangup of the process group) reloads once and kills nothing', async () => {
  const proxy = await group.proxy('hup-c2', yaml('blue'), {}, { args: ['--concurrency', '2'] })
  const file = join(group.dir, 'hup-c2.yaml')
  const workers = ((await (await fetch(`${proxy.url('admin')}/workers`)).json()) as { workers: { pid: number }[] }).workers.map((w) => w.pid)
  writeFileSync(file, yaml('green'))
  for (const pid of [proxy.process.child.pid!, ...workers]) process.kill(pid, 'SIGHUP')
  await proxy.process.waitFor('version 2', 15_000)
  const bodies = await Promise.all(Array.from({ length: 10 }, () => fetch(`${proxy.url('ingress_http')}/`, { headers: { connection: 'close' } }).then((r) => r.text())))
  expect(new Set(bodies)).toEqual(new Set(['green\n']))
  const after = ((await (await fetch(`${proxy.url('admin')}/workers`)).json()) as { workers: { pid: number; state: string }[] }).workers
  expect(after.map((w) => [w.pid, w.state])).toEqual(workers.map((pid) => [pid, 'live']))
  expect(proxy.process.stdout()).not.toContain('exited with code')
  expect(proxy.process.stdout()).not.toContain('version 3')
}, 60_000)

describe('20 reloads under load lose no request', () => {
  for (const [runtime, concurrency] of [['bun', '1'], ['bun', '2'], ['deno', '1'], ['deno', '2']] as const) {
    test(`${runtime} --concurrency ${concurrency}`, async () => {
      const proxy = await group.proxy(`load-${runtime}-${concurrency}`, yaml('blue'), {}, { runtime, args: ['--concurrency', concurrency], startTimeoutMs: 30_000 })
      const file = join(group.dir, `load-${runtime}-${concurrency}.yaml`)
      const base = proxy.url('ingress_http')
      let stopLoad = false
      const statuses = new Map<string, number>()
      const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1)
      const worker = async () => {
        while (!stopLoad) {
          await fetch(`${base}/`).then(
            async (r) => count(`${r.status} ${(await r.text()).trim()}`),
            (e) => count(`error ${e}`),
          )
        }
      }
      const load = Array.from({ length: 8 }, worker)
      const deadline = Date.now() + 40_000
      for (let i = 0; i < 20 && Date.now() < deadline; i++) {
        writeFileSync(file, yaml(i % 2 === 0 ? 'green' : 'blue'))
        const response = await fetch(`${proxy.url('admin')}/reload`, { method: 'POST' })
        expect(await response.text()).toBe(`OK: config version ${i + 2}\n`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      stopLoad = true
      await Promise.all(load)
      const bad = [...statuses].filter(([key]) => !key.startsWith('200 '))
      expect(bad).toEqual([])
      expect(statuses.get('200 blue')).toBeGreaterThan(0)
      expect(statuses.get('200 green')).toBeGreaterThan(0)
    }, 90_000)
  }
})

test('--watch-config: saving the file reloads it', async () => {
  const { proxy, file } = await start('watch', 'bun', ['--watch-config'])
  await new Promise((resolve) => setTimeout(resolve, 700))
  writeFileSync(file, yaml('green'))
  await proxy.process.waitFor('version 2', 10_000)
  expect(await text(`${proxy.url('ingress_http')}/`)).toBe('green\n')
}, 30_000)
