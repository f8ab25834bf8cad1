// ignore_new_hosts_until_first_hc end to end: a real edgeway process, a real DNS server (dns2) and
// three loopback replicas. service1 starts with one checked replica; a scale-up to three adds two
// whose /healthz answers only when the test says so. With the flag the two take no request and the
// cluster is not in panic until their first check ends (a pass includes one as healthy, a 503 the
// other as unhealthy); without it the same scale-up is panic (1 ready of 3) and they get requests
// before any check. The Envoy bootstrap's field does the same.

import { afterAll, describe, expect, test } from 'bun:test'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { eventually, ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { oneClusterBootstrap } from '../support/envoy-bootstrap.ts'

const group = new ProcessGroup()
const cleanups: (() => Promise<void>)[] = []

afterAll(async () => {
  await group.stopAll()
  await Promise.all(cleanups.splice(0).map((stop) => stop()))
})

/** A replica whose /healthz waits for `release(status)` while held; every other path answers its name. */
type Replica = { readonly upstream: Upstream; hold(): void; release(status: number): void; requests(): number }

async function replica(address: string, port: number): Promise<Replica> {
  let gate: Promise<number> | undefined
  let open: (status: number) => void = () => {}
  const upstream = await startUpstream({
    address,
    port,
    handler: async (request) => {
      if (new URL(request.url).pathname !== '/healthz') return new Response(`${address}\n`)
      return new Response('', { status: gate ? await gate : 200 })
    },
  })
  cleanups.push(() => (open(200), upstream.stop()))
  return {
    upstream,
    hold: () => void (gate = new Promise((resolve) => (open = resolve))),
    release: (status) => open(status),
    requests: () => upstream.received.filter((r) => r.path === '/x').length,
  }
}

/** Replicas on 127.0.0.<base>..<base+2>, one port, as containers; the DNS server answers the first only. */
async function topology(base: number): Promise<{ replicas: Replica[]; dns: TestDnsServer; addresses: string[]; port: number }> {
  const addresses = [0, 1, 2].map((i) => `127.0.0.${base + i}`)
  const first = await replica(addresses[0]!, 0)
  const port = first.upstream.port
  const replicas = [first, await replica(addresses[1]!, port), await replica(addresses[2]!, port)]
  const dns = await startDnsServer({ records: { service1: addresses.slice(0, 1) }, ttlSeconds: 300 })
  cleanups.push(() => dns.stop())
  return { replicas, dns, addresses, port }
}

function yaml(dns: TestDnsServer, port: number, common: string): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: service1 } } ] } ]
clusters:
  - name: service1
    type: strict_dns
    lb_policy: round_robin
    dns_refresh_rate: 0.2s
    dns_resolvers: ["${dns.address}:${dns.port}"]
${common}
    health_checks: [{ interval: 20s, timeout: 20s, unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: /healthz } }]
    load_assignment: { endpoints: [ { address: service1, port: ${port} } ] }
`
}

async function stat(proxy: ProxyProcess, name: string): Promise<number> {
  const full = `cluster.service1.${name}`
  const text = await (await fetch(`${proxy.url('admin')}/stats?filter=${encodeURIComponent(`^${full.replaceAll('.', '\\.')}$`)}`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${full}: `))
  return line === undefined ? Number.NaN : Number(line.slice(full.length + 2))
}

/** The service1 endpoints' health_flags lines of /clusters, by address. */
async function healthFlags(proxy: ProxyProcess): Promise<Record<string, string>> {
  const text = await (await fetch(`${proxy.url('admin')}/clusters`)).text()
  return Object.fromEntries([...text.matchAll(/^service1::([\d.]+):\d+::health_flags::(\S+)$/gm)].map((m) => [m[1]!, m[2]!]))
}

async function send(proxy: ProxyProcess, count: number): Promise<string[]> {
  const bodies: string[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${proxy.url('ingress_http')}/x`)
    expect(response.status).toBe(200)
    bodies.push((await response.text()).trim())
  }
  return bodies
}

/** Scales service1 from one replica to three, the two new ones' first checks held; resolves once the proxy has all three. */
async function scaleUp(proxy: ProxyProcess, { replicas, dns, addresses }: Awaited<ReturnType<typeof topology>>): Promise<void> {
  replicas[1]!.hold()
  replicas[2]!.hold()
  dns.setRecords('service1', addresses)
  await eventually('three members', async () => ((await stat(proxy, 'membership_total')) === 3 ? true : undefined))
}

describe('ignore_new_hosts_until_first_hc through a real edgeway process and a real DNS server', () => {
  test('with the flag: the scaled-up replicas get no request and no panic before their first check; then a pass includes one, a 503 the other as unhealthy', async () => {
    const t = await topology(31)
    const proxy = await group.proxy('first-hc-on', yaml(t.dns, t.port, '    common_lb_config: { ignore_new_hosts_until_first_hc: true }'), {}, { args: ['--concurrency', '1'] })
    const [a, b, c] = t.addresses as [string, string, string]
    expect(await send(proxy, 4)).toEqual(Array(4).fill(a))
    await scaleUp(proxy, t)
    expect(await healthFlags(proxy)).toEqual({ [a]: 'healthy', [b]: '/failed_active_hc/pending_active_hc', [c]: '/failed_active_hc/pending_active_hc' })
    expect([await stat(proxy, 'membership_healthy'), await stat(proxy, 'membership_excluded')]).toEqual([1, 2])
    expect(await send(proxy, 20)).toEqual(Array(20).fill(a))
    expect(await stat(proxy, 'lb_healthy_panic')).toBe(0)
    expect([t.replicas[1]!.requests(), t.replicas[2]!.requests()]).toEqual([0, 0])

    t.replicas[1]!.release(200)
    await eventually('b healthy', async () => ((await stat(proxy, 'membership_healthy')) === 2 ? true : undefined))
    expect(new Set(await send(proxy, 10))).toEqual(new Set([a, b]))
    t.replicas[2]!.release(503)
    await eventually('c checked', async () => ((await stat(proxy, 'membership_excluded')) === 0 ? true : undefined))
    expect(await healthFlags(proxy)).toEqual({ [a]: 'healthy', [b]: 'healthy', [c]: '/failed_active_hc' })
    // 2 of 3 ready, c now counted: no panic, and c still gets nothing.
    expect(new Set(await send(proxy, 10))).toEqual(new Set([a, b]))
    expect(await stat(proxy, 'lb_healthy_panic')).toBe(0)
    expect(t.replicas[2]!.requests()).toBe(0)
  }, 30_000)

  test('without it the same scale-up is panic: the unchecked replicas get requests, each pick counted', async () => {
    const t = await topology(34)
    const proxy = await group.proxy('first-hc-off', yaml(t.dns, t.port, ''), {}, { args: ['--concurrency', '1'] })
    await scaleUp(proxy, t)
    expect(Object.values(await healthFlags(proxy)).sort()).toEqual(['/failed_active_hc', '/failed_active_hc', 'healthy'])
    expect(new Set(await send(proxy, 12))).toEqual(new Set(t.addresses))
    expect(await stat(proxy, 'lb_healthy_panic')).toBe(12)
    expect(await stat(proxy, 'membership_excluded')).toBe(0)
  }, 30_000)

  test('Envoy bootstrap: common_lb_config.ignore_new_hosts_until_first_hc does the same', async () => {
    const t = await topology(37)
    const bootstrap = oneClusterBootstrap({
      name: 'service1',
      type: 'STRICT_DNS',
      dns_refresh_rate: '0.2s',
      dns_resolvers: [{ socket_address: { address: t.dns.address, port_value: t.dns.port } }],
      common_lb_config: { ignore_new_hosts_until_first_hc: true },
      health_checks: [{ timeout: '20s', interval: '20s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } }],
      load_assignment: { cluster_name: 'service1', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'service1', port_value: t.port } } } }] }] },
    })
    const proxy = await group.proxy('first-hc-envoy', JSON.stringify(bootstrap), {}, { args: ['--concurrency', '1'] })
    await scaleUp(proxy, t)
    expect(await send(proxy, 12)).toEqual(Array(12).fill(t.addresses[0]))
    expect([await stat(proxy, 'lb_healthy_panic'), await stat(proxy, 'membership_excluded')]).toEqual([0, 2])
  }, 30_000)
})
