// Envoy's dynamic-config-fs sandbox through the real CLI, on Bun and Deno: listeners and clusters
// from LDS / CDS files; a rewritten cds.yaml moved into place (as the sandbox's `mv` does) moves the
// traffic to the other upstream without a failed request; a bad one is rejected with its path
// and the running config keeps serving; a moved-in lds.yaml changes the listener. Counted as Envoy counts them.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { ROOT } from '../support/edgeway.ts'
import { ProcessGroup, eventually } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let service1: Upstream
let service2: Upstream
const group = new ProcessGroup()

beforeAll(async () => {
  service1 = await startUpstream({ name: 'service1' })
  service2 = await startUpstream({ name: 'service2' })
})

afterAll(async () => {
  await group.stopAll()
  await Promise.all([service1?.stop(), service2?.stop()])
})

const fixture = (file: string) => parse(readFileSync(`${ROOT}test/fixtures/envoy/dynamic-config-fs/${file}`, 'utf8'))

/** The sandbox's cds.yaml pointed at `upstream`; `edit` makes it a test's variation. */
function cdsFor(upstream: Upstream, edit: (cluster: Record<string, any>) => void = () => {}): string {
  const doc = fixture('cds.yaml')
  const cluster = doc.resources[0]
  // The sandbox's services speak HTTP/2; these loopback upstreams speak HTTP/1.1.
  delete cluster.typed_extension_protocol_options
  cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address = { address: upstream.address, port_value: upstream.port }
  edit(cluster)
  return stringify(doc)
}

/** Writes beside the target, then renames over it: the replacing move Envoy's docs ask for. */
function moveIntoPlace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text)
  renameSync(`${path}.tmp`, path)
}

const nameOf = async (url: string) => {
  const response = await fetch(url)
  return response.status === 200 ? ((await response.json()) as { name: string }).name : `status ${response.status}`
}

const counter = (stats: string, name: string) => Number(new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(stats)?.[1] ?? NaN)

/** The sandbox's three files in `<group dir>/<name>/`, pointed at loopback; returns the bootstrap's text. */
function sandboxIn(name: string, upstream: Upstream): { dir: string; bootstrap: string; lds: Record<string, any> } {
  const dir = join(group.dir, name)
  mkdirSync(dir)
  const lds = fixture('lds.yaml')
  lds.resources[0].address.socket_address = { address: '127.0.0.1', port_value: 0 }
  writeFileSync(join(dir, 'lds.yaml'), stringify(lds))
  writeFileSync(join(dir, 'cds.yaml'), cdsFor(upstream))
  const bootstrap = readFileSync(`${ROOT}test/fixtures/envoy/dynamic-config-fs/envoy.yaml`, 'utf8').replaceAll('/var/lib/envoy', dir).replace('address: 0.0.0.0', 'address: 127.0.0.1').replace('port_value: 19000', 'port_value: 0')
  return { dir, bootstrap, lds }
}

test('with workers (--concurrency 2): the primary applies a moved-in cds.yaml to every worker and counts it once', async () => {
  const { dir, bootstrap } = sandboxIn('workers', service1)
  const proxy = await group.proxy('dynamic-workers', bootstrap, {}, { args: ['--concurrency', '2'] })
  const url = `${proxy.url('listener_0')}/service`
  expect(await nameOf(url)).toBe('service1')
  moveIntoPlace(join(dir, 'cds.yaml'), cdsFor(service2))
  await proxy.process.waitFor('config reloaded from')
  // Every worker routes to the new upstream: 20 requests over new connections, all service2.
  const names = await eventually('every worker on service2', async () => {
    const seen = await Promise.all(Array.from({ length: 20 }, () => nameOf(url)))
    return seen.every((name) => name === 'service2') ? seen : undefined
  })
  expect(names.length).toBe(20)
  const stats = await (await fetch(`${proxy.url('admin')}/stats`)).text()
  expect(counter(stats, 'cluster_manager.cds.update_success')).toBe(1)
})

for (const runtime of ['bun', 'deno'] as const) {
  describe(runtime, () => {
    test('LDS + CDS files serve; a moved-in cds.yaml moves traffic with no failed request; a bad one is rejected by path', async () => {
      const { dir, bootstrap, lds } = sandboxIn(runtime, service1)
      const proxy = await group.proxy(`dynamic-${runtime}`, bootstrap, {}, { runtime, args: ['--concurrency', '1'] })
      const url = `${proxy.url('listener_0')}/service`
      expect(await nameOf(url)).toBe('service1')

      // Requests keep going while the cluster file is replaced: every one must be answered 200.
      const seen: string[] = []
      let switched = false
      const traffic = (async () => {
        const deadline = Date.now() + 20_000
        let after = 0
        while (Date.now() < deadline && after < 20) {
          const name = await nameOf(url)
          seen.push(name)
          if (name === 'service2') switched = true
          if (switched) after++
        }
      })()
      await new Promise((resolve) => setTimeout(resolve, 200))
      moveIntoPlace(join(dir, 'cds.yaml'), cdsFor(service2))
      await traffic
      expect(switched).toBe(true)
      expect(seen.filter((name) => name !== 'service1' && name !== 'service2')).toEqual([])
      expect(seen.slice(-20)).toEqual(Array(20).fill('service2'))
      await proxy.process.waitFor('config reloaded from')
      // The sandbox's check: the dump's dynamic_active_clusters show the new endpoint.
      const dump = (await (await fetch(`${proxy.url('admin')}/config_dump`)).json()) as { configs: any[] }
      const active = dump.configs[1].dynamic_active_clusters[0].cluster
      expect(active.name).toBe('example_proxy_cluster')
      expect(JSON.stringify(active.load_assignment)).toContain(`"port_value":${service2.port}`)

      // A bad cluster file: every problem logged with its path, the running config stays.
      moveIntoPlace(join(dir, 'cds.yaml'), cdsFor(service2, (cluster) => (cluster.lb_policy = 'SPINNING')))
      await proxy.process.waitFor('config reload rejected')
      expect(proxy.process.stdout()).toContain(`${join(dir, 'cds.yaml')}#resources[0].lb_policy: expected one of ROUND_ROBIN`)
      for (let i = 0; i < 5; i++) expect(await nameOf(url)).toBe('service2')

      // A listener file change: the new route config answers on the same socket.
      const hcm = lds.resources[0].filter_chains[0].filters[0].typed_config
      hcm.route_config.virtual_hosts[0].response_headers_to_add = [{ header: { key: 'x-lds', value: 'second' } }]
      moveIntoPlace(join(dir, 'lds.yaml'), stringify(lds))
      await eventually('the new listener config', async () => ((await fetch(url)).headers.get('x-lds') === 'second' ? true : undefined))

      const stats = await eventually('the counters', async () => {
        const text = await (await fetch(`${proxy.url('admin')}/stats`)).text()
        return counter(text, 'listener_manager.lds.update_success') === 1 ? text : undefined
      })
      expect(counter(stats, 'cluster_manager.cds.update_success')).toBe(1)
      expect(counter(stats, 'cluster_manager.cds.update_rejected')).toBe(1)
      expect(counter(stats, 'listener_manager.lds.update_rejected')).toBe(0)
    })
  })
}
