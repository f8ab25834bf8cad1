// Weighted endpoints end to end: a real edgeway process in front of real loopback upstreams,
// configured natively (`weight`) and as an Envoy bootstrap (`load_balancing_weight`, strict DNS
// against a real DNS server, a name's weight going to each of its addresses). Requests are
// counted where they land; an EDF round robin over integer weights repeats every sum-of-weights
// picks, so whole cycles give the exact split. /clusters shows Envoy's `weight::N`.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { oneClusterBootstrap } from '../support/envoy-bootstrap.ts'

const group = new ProcessGroup()
const upstreams: Upstream[] = []
let dns: TestDnsServer

beforeAll(async () => {
  dns = await startDnsServer({ records: { heavy: ['127.0.0.2', '127.0.0.3'], light: ['127.0.0.4'] } })
})

afterAll(async () => {
  await group.stopAll()
  await Promise.all(upstreams.splice(0).map((u) => u.stop()))
  await dns.stop()
})

async function upstreamOn(address: string, port = 0): Promise<Upstream> {
  const upstream = await startUpstream({ address, port })
  upstreams.push(upstream)
  return upstream
}

/** `n` requests one after another; returns how many each upstream received during them. */
async function send(url: string, n: number, targets: Upstream[]): Promise<number[]> {
  const before = targets.map((t) => t.received.length)
  for (let i = 0; i < n; i++) {
    const response = await fetch(url)
    expect(response.status).toBe(200)
    await response.arrayBuffer()
  }
  return targets.map((t, i) => t.received.length - before[i]!)
}

async function clustersText(adminUrl: string): Promise<string[]> {
  return (await (await fetch(`${adminUrl}/clusters`)).text()).split('\n')
}

describe('weighted endpoints through a real edgeway process', () => {
  test('native config: weights 3 and 1 split 400 requests 300 / 100; /clusters says weight::3 and weight::1', async () => {
    const [a, b] = [await upstreamOn('127.0.0.1'), await upstreamOn('127.0.0.1')]
    const proxy = await group.proxy('native', `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: weighted } } ] } ]
clusters:
  - name: weighted
    lb_policy: round_robin
    load_assignment:
      endpoints:
        - { address: 127.0.0.1, port: ${a!.port}, weight: 3 }
        - { address: 127.0.0.1, port: ${b!.port} }
`, {}, { args: ['--concurrency', '1'] })
    expect(await send(`${proxy.url('ingress_http')}/x`, 400, [a!, b!])).toEqual([300, 100])
    const lines = await clustersText(proxy.url('admin'))
    expect(lines).toContain(`weighted::127.0.0.1:${a!.port}::weight::3`)
    expect(lines).toContain(`weighted::127.0.0.1:${b!.port}::weight::1`)
  })

  test('Envoy config: strict DNS names with load_balancing_weight 3 and 2, every address of "heavy" weighing 3: 800 requests split 300 / 300 / 200', async () => {
    const port = await unusedPort('127.0.0.2')
    const targets = [await upstreamOn('127.0.0.2', port), await upstreamOn('127.0.0.3', port), await upstreamOn('127.0.0.4', port)]
    const lbEndpoint = (name: string, weight: number) => ({ endpoint: { address: { socket_address: { address: name, port_value: port } } }, load_balancing_weight: weight })
    const bootstrap = oneClusterBootstrap({
      name: 'weighted',
      type: 'STRICT_DNS',
      lb_policy: 'ROUND_ROBIN',
      connect_timeout: '0.25s',
      dns_resolvers: [{ socket_address: { address: dns.address, port_value: dns.port } }],
      load_assignment: { cluster_name: 'weighted', endpoints: [{ lb_endpoints: [lbEndpoint('heavy', 3), lbEndpoint('light', 2)] }] },
    })
    const proxy = await group.proxy('envoy', JSON.stringify(bootstrap, null, 2), {}, { args: ['--concurrency', '1'] })
    // 3 : 3 : 2 in Envoy's EDF schedule: deadlines are sums of 1/3 in doubles, and the schedule
    // starts after a random number of picks (Envoy's seed_), so for ~3 % of starts a window of 800
    // picks is one off (301 / 300 / 199; 3 000 seeded schedules, the same arithmetic as Envoy's).
    const split = await send(`${proxy.url('ingress_http')}/x`, 800, targets)
    expect(split.reduce((a, b) => a + b, 0)).toBe(800)
    split.forEach((n, i) => expect(Math.abs(n - [300, 300, 200][i]!)).toBeLessThanOrEqual(1))
    const lines = await clustersText(proxy.url('admin'))
    expect(lines).toContain(`weighted::127.0.0.2:${port}::weight::3`)
    expect(lines).toContain(`weighted::127.0.0.3:${port}::weight::3`)
    expect(lines).toContain(`weighted::127.0.0.4:${port}::weight::2`)
    // `edgeway convert` prints the compact config it was read as: the weights are there.
    const convert = group.spawn(['convert', '-c', group.write('envoy-again', JSON.stringify(bootstrap))])
    expect(await convert.exited).toBe(0)
    expect(convert.stdout()).toContain('address: heavy')
    expect(convert.stdout()).toMatch(/address: heavy[\s\S]*?weight: 3[\s\S]*address: light[\s\S]*?weight: 2/)
  })
})
