// Envoy's fault-injection sandbox file served by the real CLI on Bun and on Deno, unchanged bar
// addresses and the runtime folder: faults at 0 % until the disk layer's symlink is swapped (as the
// sandbox's scripts do), then aborts with 503 FI; /runtime_modify changes the percentages live; a
// route's typed_per_filter_config takes its faults from the request headers; a delay shows DI and
// ends when the client leaves or a drain closes the connection; the fault stats count it all. With
// --concurrency 2 an admin-layer change reaches every worker, a restarted one too.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { envoyFixture, type Doc } from '../support/envoy-fixture.ts'
import { eventually, ProcessGroup, stop, type ProxyProcess } from '../support/edgeway-processes.ts'
import { ROOT } from '../support/edgeway.ts'
import { linesFor, statusAndFlags } from '../support/access-log-lines.ts'
import { rawExchange, rawStatus } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault'
const group = new ProcessGroup()
let upstream: Upstream

beforeAll(async () => {
  expect(existsSync(`${ROOT}node_modules/.bin/deno`)).toBe(true) // a missing runtime fails loudly, never skips
  upstream = await startUpstream({ name: 'backend' })
})

afterAll(async () => {
  await group.stopAll()
  await upstream?.stop()
})

/** The sandbox's runtime folder: `current` → `v<n>`, swapped atomically as its scripts do. */
function runtimeFolder(name: string) {
  const root = join(group.dir, `${name}-runtime`)
  let version = 0
  const publish = (values: Record<string, string>) => {
    version++
    const dir = join(root, `v${version}`, 'envoy')
    mkdirSync(dir, { recursive: true })
    for (const [key, value] of Object.entries(values)) {
      const parts = key.split('.')
      mkdirSync(join(dir, ...parts.slice(0, -1)), { recursive: true })
      writeFileSync(join(dir, ...parts), `${value}\n`)
    }
    const link = join(root, `current-${version}`)
    symlinkSync(join(root, `v${version}`), link)
    renameSync(link, join(root, 'current'))
  }
  publish({})
  return { symlinkRoot: join(root, 'current'), publish }
}

/** The sandbox file with an admin listener and layer, and a /headers route whose faults the request headers choose. */
function sandbox(symlinkRoot: string): string {
  return envoyFixture('fault-injection.yaml', { local_service: [{ address: upstream.address, port: upstream.port }] }, [], (doc: Doc) => {
    doc.admin = { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } }
    doc.layered_runtime.layers[0].disk_layer.symlink_root = symlinkRoot
    doc.layered_runtime.layers.push({ name: 'admin', admin_layer: {} })
    const routes = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes
    routes.unshift({
      match: { prefix: '/headers' },
      route: { cluster: 'local_service' },
      typed_per_filter_config: {
        'envoy.filters.http.fault': {
          '@type': FAULT_TYPE,
          abort: { header_abort: {}, percentage: { numerator: 100 } },
          delay: { header_delay: {}, percentage: { numerator: 100 } },
          // Its own keys, so the sandbox's runtime values do not reach this route.
          abort_percent_runtime: 'headers.abort_percent',
          delay_percent_runtime: 'headers.delay_percent',
        },
      },
    })
  })
}

const get = (proxy: ProxyProcess, path: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${proxy.url('ingress_http')}${path}`, { headers, signal: signal ?? AbortSignal.timeout(10_000) })

async function status(proxy: ProxyProcess, path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await get(proxy, path, headers)
  await response.arrayBuffer()
  return response.status
}

const admin = (proxy: ProxyProcess, path: string, method = 'GET') => fetch(`${proxy.url('admin')}${path}`, { method, signal: AbortSignal.timeout(5000) })

async function statsMatching(proxy: ProxyProcess, filter: string, prefix: string): Promise<Record<string, number>> {
  const text = await (await admin(proxy, `/stats?filter=${encodeURIComponent(filter)}`)).text()
  return Object.fromEntries(text.trim().split('\n').map((line) => [line.split(': ')[0]!.replace(prefix, ''), Number(line.split(': ')[1])]))
}
const faultStats = (proxy: ProxyProcess) => statsMatching(proxy, '\\.fault\\.', 'http.ingress_http.fault.')
const runtimeStats = (proxy: ProxyProcess) => statsMatching(proxy, '^runtime\\.', 'runtime.')

/** Text-format access-log lines for `GET path`, once there are `count` of them. */
const logged = (proxy: ProxyProcess, path: string, count = 1) =>
  eventually(`${count} access-log line(s) for ${path}`, async () => {
    const lines = linesFor(proxy.process.stdout(), 'GET', path)
    return lines.length >= count ? lines.map(statusAndFlags) : undefined
  })

for (const runtime of ['bun', 'deno'] as const) {
  describe(`the fault-injection sandbox on ${runtime}`, () => {
    let proxy: ProxyProcess
    let folder: ReturnType<typeof runtimeFolder>

    beforeAll(async () => {
      folder = runtimeFolder(runtime)
      proxy = await group.proxy(`fault-${runtime}`, sandbox(folder.symlinkRoot), {}, { runtime, startTimeoutMs: 30_000 })
    })

    test('configured at 0 %: requests pass until the disk layer is swapped to abort_percent 100, then 503 FI with Envoy\'s body', async () => {
      expect(await status(proxy, '/before')).toBe(200)
      folder.publish({ 'fault.http.abort.abort_percent': '100' })
      await eventually('the swapped disk layer', async () => ((await status(proxy, '/probe')) === 503 ? true : undefined))
      const aborted = await get(proxy, '/aborted')
      expect(aborted.status).toBe(503)
      expect(await aborted.text()).toBe('fault filter abort')
      expect(await logged(proxy, '/aborted')).toEqual([[503, 'FI']])

      const runtimeJson = (await (await admin(proxy, '/runtime')).json()) as { layers: string[]; entries: Record<string, { layer_values: string[]; final_value: string }> }
      expect(runtimeJson.layers).toEqual(['disk_layer_0', 'admin'])
      expect(runtimeJson.entries['fault.http.abort.abort_percent']).toEqual({ layer_values: ['100', ''], final_value: '100' })
    })

    test('/runtime_modify changes the abort percent and status live; 50 % aborts about half', async () => {
      expect(await (await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=0', 'POST')).text()).toBe('OK\n')
      expect(await status(proxy, '/modified')).toBe(200)
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=100&fault.http.abort.http_status=429', 'POST')
      expect(await status(proxy, '/modified')).toBe(429)
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=50&fault.http.abort.http_status=', 'POST')
      const statuses: number[] = []
      for (let i = 0; i < 100; i++) statuses.push(await status(proxy, '/half'))
      const aborted = statuses.filter((s) => s === 503).length
      // Binomial(100, 0.5) falls outside 20..80 about once in 10^9 runs; 0 % or 100 % would not pass.
      expect(aborted).toBeGreaterThan(20)
      expect(aborted).toBeLessThan(80)
      expect(statuses.filter((s) => s !== 503 && s !== 200)).toEqual([])
      const runtimeJson = (await (await admin(proxy, '/runtime')).json()) as { entries: Record<string, { layer_values: string[]; final_value: string }> }
      expect(runtimeJson.entries['fault.http.abort.abort_percent']).toEqual({ layer_values: ['100', '50'], final_value: '50' })
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=0', 'POST')
    })

    test('a delay through the runtime: the request is answered by the upstream, flagged DI', async () => {
      await admin(proxy, '/runtime_modify?fault.http.delay.fixed_delay_percent=100&fault.http.delay.fixed_duration_ms=50', 'POST')
      const delayed = await get(proxy, '/delayed')
      expect(delayed.status).toBe(200)
      expect(((await delayed.json()) as { name: string }).name).toBe('backend')
      expect(await logged(proxy, '/delayed')).toEqual([[200, 'DI']])
      await admin(proxy, '/runtime_modify?fault.http.delay.fixed_delay_percent=&fault.http.delay.fixed_duration_ms=', 'POST')
      expect(await status(proxy, '/undelayed')).toBe(200)
      expect(await logged(proxy, '/undelayed')).toEqual([[200, '-']])
    })

    test("header-controlled faults on the route's typed_per_filter_config", async () => {
      expect(await status(proxy, '/headers/none')).toBe(200)
      expect(await status(proxy, '/headers/abort', { 'x-envoy-fault-abort-request': '418' })).toBe(418)
      expect(await status(proxy, '/headers/delay', { 'x-envoy-fault-delay-request': '20' })).toBe(200)
      expect(await status(proxy, '/headers/both', { 'x-envoy-fault-delay-request': '20', 'x-envoy-fault-abort-request': '500' })).toBe(500)
      // A 0 % request header caps the route's 100 %.
      expect(await status(proxy, '/headers/capped', { 'x-envoy-fault-abort-request': '418', 'x-envoy-fault-abort-request-percentage': '0' })).toBe(200)
      // The route's own runtime key turns its aborts off whatever the headers say.
      await admin(proxy, '/runtime_modify?headers.abort_percent=0', 'POST')
      expect(await status(proxy, '/headers/off', { 'x-envoy-fault-abort-request': '418' })).toBe(200)
      expect((await logged(proxy, '/headers/abort'))[0]).toEqual([418, 'FI'])
      expect((await logged(proxy, '/headers/delay'))[0]).toEqual([200, 'DI'])
      expect((await logged(proxy, '/headers/both'))[0]).toEqual([500, 'DI,FI'])
    })

    test('a client that leaves during a delay ends it: active_faults back to 0, logged DI,DC; the stats count every fault', async () => {
      const client = new AbortController()
      const pending = get(proxy, '/headers/leaving', { 'x-envoy-fault-delay-request': '60000' }, client.signal).catch(() => 'gone')
      await eventually('the delay in progress', async () => ((await faultStats(proxy)).active_faults === 1 ? true : undefined))
      client.abort()
      expect(await pending).toBe('gone')
      await eventually('the delay ended', async () => ((await faultStats(proxy)).active_faults === 0 ? true : undefined))
      expect((await logged(proxy, '/headers/leaving'))[0]![1]).toBe('DI,DC')
      const stats = await faultStats(proxy)
      expect(stats).toMatchObject({ active_faults: 0, faults_overflow: 0 })
      // /probe polls, /aborted, /modified 429, about 50 of /half, /headers/abort and /both.
      expect(stats.aborts_injected).toBeGreaterThan(20)
      // /delayed, /headers/delay, /headers/both, /headers/leaving.
      expect(stats.delays_injected).toBe(4)
    })

    test("x-envoy-downstream-service-cluster: that cluster's runtime keys decide instead of the general ones, and it has its own stats", async () => {
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=100', 'POST')
      const frontend = { 'x-envoy-downstream-service-cluster': 'frontend' }
      // Its own percentage key is unset: the file's 0 % decides for it, not the general key's 100.
      expect(await status(proxy, '/dc/unset', frontend)).toBe(200)
      await admin(proxy, '/runtime_modify?fault.http.frontend.abort.abort_percent=100&fault.http.frontend.abort.http_status=418', 'POST')
      expect(await status(proxy, '/dc/set', frontend)).toBe(418)
      expect(await status(proxy, '/dc/other', { 'x-envoy-downstream-service-cluster': 'backoffice' })).toBe(200)
      expect((await faultStats(proxy))['frontend.aborts_injected']).toBe(1)
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=&fault.http.frontend.abort.abort_percent=&fault.http.frontend.abort.http_status=', 'POST')
    })

    test("runtime.* as Envoy: one load per /runtime_modify, the layers, keys and admin overrides", async () => {
      const before = await runtimeStats(proxy)
      expect(before).toMatchObject({ load_error: 0, num_layers: 2, admin_overrides_active: 1 })
      await admin(proxy, '/runtime_modify?demo.key=1', 'POST')
      const after = await runtimeStats(proxy)
      expect(after.load_success).toBe(before.load_success! + 1)
      expect(after.num_keys).toBe(before.num_keys! + 1)
      // One disk layer: Envoy's "override directory" (a second disk layer) is absent at every load.
      expect(after.override_dir_not_exists).toBe(after.load_success)
      expect(after.override_dir_exists).toBe(0)
      await admin(proxy, '/runtime_modify?demo.key=', 'POST')
    })

    test('a reload that changes layered_runtime says it needs a restart; the admin layer stays', async () => {
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=100', 'POST')
      const file = join(group.dir, `fault-${runtime}.yaml`)
      writeFileSync(file, sandbox(folder.symlinkRoot).replace('layered_runtime:\n  layers:\n', 'layered_runtime:\n  layers:\n    - name: extra\n      static_layer: { fault.http.abort.http_status: 418 }\n'))
      expect((await admin(proxy, '/reload', 'POST')).status).toBe(200)
      await proxy.process.waitFor('edgeway: layered_runtime changed: its layers are read at start only')
      expect(await status(proxy, '/after-reload')).toBe(503)
      await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=', 'POST')
    })
  })
}

type WorkerRow = { index: number; pid: number; state: string; restarts: number; downstream_rq_total?: number }
const workerRows = async (proxy: ProxyProcess) => ((await (await admin(proxy, '/workers')).json()) as { workers: WorkerRow[] }).workers

/** Statuses of `count` GETs, each on a new connection so the kernel spreads them over the workers' sockets. */
async function freshConnections(proxy: ProxyProcess, count: number, from = 0): Promise<number[]> {
  const statuses: number[] = []
  for (let i = from; i < from + count; i++) statuses.push(rawStatus(await rawExchange(proxy.port('ingress_http'), `GET /w/${i} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`)) ?? 0)
  return statuses
}

for (const runtime of ['bun', 'deno'] as const) {
  describe(`--concurrency 2 on ${runtime}: an admin-layer change reaches every worker, a restarted one too`, () => {
    test('abort_percent 100 set on the primary aborts on both workers, and on a worker started after it', async () => {
      const folder = runtimeFolder(`workers-${runtime}`)
      const proxy = await group.proxy(`fault-workers-${runtime}`, sandbox(folder.symlinkRoot), {}, { runtime, args: ['--concurrency', '2'], startTimeoutMs: 30_000 })
      expect(await (await admin(proxy, '/runtime_modify?fault.http.abort.abort_percent=100', 'POST')).text()).toBe('OK\n')
      expect((await freshConnections(proxy, 24)).every((s) => s === 503)).toBe(true)
      expect((await workerRows(proxy)).map((w) => (w.downstream_rq_total ?? 0) > 0)).toEqual([true, true])
      expect((await faultStats(proxy)).aborts_injected).toBe(24)
      // The primary's own runtime stats (its start and the one modify), not a sum over the workers'.
      expect(await runtimeStats(proxy)).toMatchObject({ load_success: 2, load_error: 0, num_layers: 2, admin_overrides_active: 1 })
      const runtimeJson = (await (await admin(proxy, '/runtime')).json()) as { entries: Record<string, { final_value: string }> }
      expect(runtimeJson.entries['fault.http.abort.abort_percent']!.final_value).toBe('100')

      // A worker restarted after the change starts from the file's layers; the primary passes it the admin layer.
      const before = (await workerRows(proxy))[1]!
      process.kill(before.pid, 'SIGKILL')
      await eventually('worker 1 live again', async () => {
        const row = (await workerRows(proxy))[1]!
        return row.state === 'live' && row.pid !== before.pid ? row : undefined
      }, 20_000)
      // Until the restarted worker has served some and every answer was an abort.
      await eventually('both workers abort', async () => {
        const statuses = await freshConnections(proxy, 16, 100)
        const rows = await workerRows(proxy)
        return statuses.every((s) => s === 503) && (rows[1]!.downstream_rq_total ?? 0) > 0 ? true : undefined
      }, 10_000)
    }, 60_000)
  })

  describe(`a drain on ${runtime} ends a delay in progress`, () => {
    test('SIGTERM with --drain-time-s 1 during a 60 s delay: the delay ends at the drain deadline and the process exits 0', async () => {
      const folder = runtimeFolder(`drain-${runtime}`)
      const proxy = await group.proxy(`fault-drain-${runtime}`, sandbox(folder.symlinkRoot), {}, { runtime, args: ['--drain-time-s', '1'], startTimeoutMs: 30_000 })
      const pending = get(proxy, '/headers/draining', { 'x-envoy-fault-delay-request': '60000' }, AbortSignal.timeout(30_000)).then(
        (r) => r.status,
        () => 'closed',
      )
      await eventually('the delay in progress', async () => ((await faultStats(proxy)).active_faults === 1 ? true : undefined))
      proxy.process.kill('SIGTERM')
      // stop() would SIGKILL after 20 s and report null; a drain that waited out the delay would take 60 s.
      expect(await stop(proxy.process, 20_000)).toBe(0)
      // At the drain's deadline the delay ends and the request goes on: answered if it wins the race
      // with the closing listener (Deno waits for it), cut off if not (Bun closes connections then).
      expect([200, 'closed']).toContain(await pending)
    }, 30_000)
  })
}
