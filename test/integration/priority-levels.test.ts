// Priority levels end to end, in the shape of Envoy's locality-load-balancing sandbox
// (examples/locality-load-balancing/envoy-proxy.yaml): one strict-DNS cluster whose localities
// sit at priorities 0, 1, 1 and 2, names resolved by a real DNS server to loopback upstreams on
// 127.0.0.x, active health checks with unhealthy_threshold 1. As each level's /healthz turns to
// 503, traffic moves from P0 to P1 to P2, and back when P0 recovers; /clusters shows priority::N.
// With common_lb_config.locality_weighted_lb_config, P0's localities share its traffic by weight
// and availability. `edgeway validate` and `convert` read the same bootstrap.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { eventually, ProcessGroup } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { oneClusterBootstrap } from '../support/envoy-bootstrap.ts'

const group = new ProcessGroup()
const upstreams: Upstream[] = []
let dns: TestDnsServer
const names = ['backend-local-1', 'backend-local-2', 'backend-remote-1', 'backend-remote-2'] as const
const addressOf = (name: string) => `127.0.0.${names.indexOf(name as (typeof names)[number]) + 2}`

beforeAll(async () => {
  dns = await startDnsServer({ records: Object.fromEntries(names.map((name) => [name, [addressOf(name)]])) })
})

afterAll(async () => {
  await group.stopAll()
  await Promise.all(upstreams.splice(0).map((u) => u.stop()))
  await dns.stop()
})

/** A backend that answers its name, and /healthz with 200 or 503 as `healthy` says. */
async function backend(name: string, port: number) {
  let healthy = true
  const upstream = await startUpstream({
    address: addressOf(name),
    port,
    handler: (request) => (new URL(request.url).pathname === '/healthz' ? new Response(null, { status: healthy ? 200 : 503 }) : new Response(`${name}\n`)),
  })
  upstreams.push(upstream)
  return { name, setHealthy: (value: boolean) => void (healthy = value) }
}

function sandboxBootstrap(port: number): Record<string, unknown> {
  const locality = (region: string, zone: string, priority: number, name: string) => ({
    locality: { region, zone },
    load_balancing_weight: 1,
    priority,
    lb_endpoints: [{ endpoint: { address: { socket_address: { address: name, port_value: port } }, health_check_config: { port_value: port }, hostname: name } }],
  })
  return oneClusterBootstrap({
    name: 'backend',
    type: 'STRICT_DNS',
    lb_policy: 'ROUND_ROBIN',
    dns_resolvers: [{ socket_address: { address: dns.address, port_value: dns.port } }],
    health_checks: [{ interval: '0.2s', timeout: '0.2s', no_traffic_interval: '0.4s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } }],
    load_assignment: {
      cluster_name: 'backend',
      endpoints: [
        locality('local', 'zone-1', 0, 'backend-local-1'),
        locality('local', 'zone-2', 1, 'backend-local-2'),
        locality('remote', 'zone-1', 1, 'backend-remote-1'),
        locality('remote', 'zone-2', 2, 'backend-remote-2'),
      ],
    },
  })
}

/** Which backends `n` requests reach, counted by name. */
async function spread(url: string, n: number): Promise<Record<string, number>> {
  const count: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const response = await fetch(url)
    expect(response.status).toBe(200)
    const name = (await response.text()).trim()
    count[name] = (count[name] ?? 0) + 1
  }
  return count
}

async function healthyCount(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/stats?filter=${encodeURIComponent('^cluster\\.backend\\.membership_healthy$')}`)).text()
  return Number(text.split(': ')[1])
}

/**
 * The sandbox's backends as locality weighted, one level (a second would take P0's spill: 2 ready
 * of 3 is 93 % health): zone-1 (weight 1: local-1) and zone-2 (weight 2: local-2 and remote-1).
 */
function weightedBootstrap(port: number): Record<string, unknown> {
  const endpoint = (name: string) => ({ endpoint: { address: { socket_address: { address: name, port_value: port } }, hostname: name } })
  return oneClusterBootstrap({
    name: 'backend',
    type: 'STRICT_DNS',
    lb_policy: 'ROUND_ROBIN',
    dns_resolvers: [{ socket_address: { address: dns.address, port_value: dns.port } }],
    common_lb_config: { locality_weighted_lb_config: {} },
    health_checks: [{ interval: '0.2s', timeout: '0.2s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } }],
    load_assignment: {
      cluster_name: 'backend',
      endpoints: [
        { locality: { region: 'local', zone: 'zone-1' }, load_balancing_weight: 1, lb_endpoints: [endpoint('backend-local-1')] },
        { locality: { region: 'local', zone: 'zone-2' }, load_balancing_weight: 2, lb_endpoints: [endpoint('backend-local-2'), endpoint('backend-remote-1')] },
      ],
    },
  })
}

describe("priority levels through a real edgeway process (Envoy's locality-load-balancing sandbox)", () => {
  test('P0 takes all traffic; P0 unhealthy moves it to P1 (both localities), then P2; P0 back takes it back', async () => {
    const port = await unusedPort('127.0.0.2')
    const [local1, local2, remote1, remote2] = await Promise.all(names.map((name) => backend(name, port)))
    const proxy = await group.proxy('sandbox', JSON.stringify(sandboxBootstrap(port), null, 2), {}, { args: ['--concurrency', '1'] })
    const url = `${proxy.url('ingress_http')}/`
    const admin = proxy.url('admin')
    await eventually('all four healthy', async () => ((await healthyCount(admin)) === 4 ? true : undefined), 15_000)
    expect(await spread(url, 20)).toEqual({ 'backend-local-1': 20 })

    const clusters = await (await fetch(`${admin}/clusters`)).text()
    expect(clusters).toContain(`backend::${addressOf('backend-local-1')}:${port}::priority::0\n`)
    expect(clusters).toContain(`backend::${addressOf('backend-local-2')}:${port}::priority::1\n`)
    expect(clusters).toContain(`backend::${addressOf('backend-remote-1')}:${port}::priority::1\n`)
    expect(clusters).toContain(`backend::${addressOf('backend-remote-2')}:${port}::priority::2\n`)

    // P0's one endpoint down: P0 health 0, P1 (100 %) takes everything, round robin over its two.
    local1!.setHealthy(false)
    await eventually('local-1 failed its check', async () => ((await healthyCount(admin)) === 3 ? true : undefined), 15_000)
    expect(await spread(url, 20)).toEqual({ 'backend-local-2': 10, 'backend-remote-1': 10 })

    // P1 down too: P2 is the only level with health.
    local2!.setHealthy(false)
    remote1!.setHealthy(false)
    await eventually('P1 failed its checks', async () => ((await healthyCount(admin)) === 1 ? true : undefined), 15_000)
    expect(await spread(url, 10)).toEqual({ 'backend-remote-2': 10 })

    // P0 recovers: everything goes back to it.
    local1!.setHealthy(true)
    await eventually('local-1 healthy again', async () => ((await healthyCount(admin)) === 2 ? true : undefined), 15_000)
    expect(await spread(url, 10)).toEqual({ 'backend-local-1': 10 })
    expect(remote2!.name).toBe('backend-remote-2')
  })

  test('locality_weighted_lb_config: zone-1 (weight 1) and zone-2 (weight 2) share P0 1 : 2; half of zone-2 down makes it 1 : 1.4', async () => {
    const port = await unusedPort('127.0.0.2')
    const [, , remote1] = await Promise.all(names.map((name) => backend(name, port)))
    const proxy = await group.proxy('sandbox-weighted', JSON.stringify(weightedBootstrap(port), null, 2), {}, { args: ['--concurrency', '1'] })
    const url = `${proxy.url('ingress_http')}/`
    const admin = proxy.url('admin')
    await eventually('all three healthy', async () => ((await healthyCount(admin)) === 3 ? true : undefined), 15_000)
    expect(await spread(url, 300)).toEqual({ 'backend-local-1': 100, 'backend-local-2': 100, 'backend-remote-1': 100 })
    const clusters = await (await fetch(`${admin}/clusters`)).text()
    const at = `backend::${addressOf('backend-local-1')}:${port}::`
    expect(clusters).toContain(`${at}region::local\n${at}zone::zone-1\n${at}sub_zone::\n`)

    // zone-2's effective weight: 2 × min(1, 1.4 × 1/2) = 1.4 against zone-1's 1, all on its ready endpoint.
    remote1!.setHealthy(false)
    await eventually('remote-1 failed its check', async () => ((await healthyCount(admin)) === 2 ? true : undefined), 15_000)
    const split = await spread(url, 240)
    expect(split['backend-remote-1']).toBeUndefined()
    expect(Math.abs(split['backend-local-1']! - 100)).toBeLessThanOrEqual(1)
    expect(Math.abs(split['backend-local-2']! - 140)).toBeLessThanOrEqual(1)
  })

  test('`edgeway validate` accepts the sandbox bootstrap, and `convert` keeps each endpoint\'s priority', async () => {
    const path = group.write('sandbox-validate', JSON.stringify(sandboxBootstrap(8000), null, 2))
    const validate = group.spawn(['--mode', 'validate', '-c', path])
    expect(await validate.exited).toBe(0)
    const convert = group.spawn(['convert', '-c', path])
    expect(await convert.exited).toBe(0)
    const out = convert.stdout()
    expect(out).toMatch(/address: backend-local-1\n\s+port: 8000\n\s+priority: 0/)
    expect(out).toMatch(/address: backend-local-2\n\s+port: 8000\n\s+priority: 1/)
    expect(out).toMatch(/address: backend-remote-1\n\s+port: 8000\n\s+priority: 1/)
    expect(out).toMatch(/address: backend-remote-2\n\s+port: 8000\n\s+priority: 2/)
  })
})
