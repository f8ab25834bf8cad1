// Panic mode end to end: a real edgeway process in front of real loopback upstreams whose health
// check path fails on every one of them (a misconfigured check). With Envoy's default threshold
// (50 %) the proxy keeps serving from all of them and counts cluster.<name>.lb_healthy_panic in
// /stats and Prometheus; with healthy_panic_threshold 0 (panic off) it answers 503 UH, as
// before. The Envoy bootstrap's common_lb_config.healthy_panic_threshold reaches the same place.

import { afterAll, describe, expect, test } from 'bun:test'
import { eventually, ProcessGroup } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { oneClusterBootstrap } from '../support/envoy-bootstrap.ts'

const group = new ProcessGroup()
const upstreams: Upstream[] = []

afterAll(async () => {
  await group.stopAll()
  await Promise.all(upstreams.splice(0).map((u) => u.stop()))
})

/** An upstream whose /healthz says 503 and whose every other path says 200 with its name. */
async function sickUpstream(name: string): Promise<Upstream> {
  const upstream = await startUpstream({ handler: (request) => (new URL(request.url).pathname === '/healthz' ? new Response('sick\n', { status: 503 }) : new Response(`${name}\n`)) })
  upstreams.push(upstream)
  return upstream
}

function yaml(ports: number[], common: string): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: app } } ] } ]
clusters:
  - name: app
    lb_policy: round_robin
${common}
    health_checks: [{ interval: 0.2s, timeout: 0.2s, unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: /healthz } }]
    load_assignment:
      endpoints:
${ports.map((port) => `        - { address: 127.0.0.1, port: ${port} }`).join('\n')}
`
}

async function stat(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/stats?filter=${encodeURIComponent(`^${name.replaceAll('.', '\\.')}$`)}`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name}: `))
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 2))
}

/** Every endpoint has failed its check once (membership_healthy 0 after checks ran). */
async function allFailed(adminUrl: string, upstreamsSeen: Upstream[]): Promise<void> {
  await eventually('every health check failed', async () => {
    const checked = upstreamsSeen.every((u) => u.received.some((r) => r.path === '/healthz'))
    return checked && (await stat(adminUrl, 'cluster.app.membership_healthy')) === 0 ? true : undefined
  }, 15_000)
}

describe('panic mode through a real edgeway process', () => {
  test('every endpoint failing its health check: traffic still reaches all of them, lb_healthy_panic counts each pick', async () => {
    const [a, b] = [await sickUpstream('a'), await sickUpstream('b')]
    const proxy = await group.proxy('panic-default', yaml([a.port, b.port], ''), {}, { args: ['--concurrency', '1'] })
    const admin = proxy.url('admin')
    await allFailed(admin, [a, b])
    const before = await stat(admin, 'cluster.app.lb_healthy_panic')
    const bodies: string[] = []
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${proxy.url('ingress_http')}/x`)
      expect(response.status).toBe(200)
      bodies.push((await response.text()).trim())
    }
    expect(new Set(bodies)).toEqual(new Set(['a', 'b']))
    expect((await stat(admin, 'cluster.app.lb_healthy_panic')) - before).toBe(10)
    expect(await stat(admin, 'cluster.app.upstream_cx_none_healthy')).toBe(0)
    const prometheus = await (await fetch(`${admin}/stats/prometheus`)).text()
    expect(prometheus).toMatch(/^envoy_cluster_lb_healthy_panic\{envoy_cluster_name="app"\} \d+$/m)
    expect(await (await fetch(`${admin}/clusters`)).text()).toContain(`app::127.0.0.1:${a.port}::health_flags::/failed_active_hc`)
  })

  test('healthy_panic_threshold 0: the same failing checks give 503 UH "no healthy upstream", and no lb_healthy_panic', async () => {
    const [a, b] = [await sickUpstream('a'), await sickUpstream('b')]
    const proxy = await group.proxy('panic-off', yaml([a.port, b.port], '    common_lb_config: { healthy_panic_threshold: 0 }'), {}, { args: ['--concurrency', '1'] })
    const admin = proxy.url('admin')
    await allFailed(admin, [a, b])
    const response = await fetch(`${proxy.url('ingress_http')}/x`)
    expect([response.status, await response.text()]).toEqual([503, 'no healthy upstream'])
    expect(await stat(admin, 'cluster.app.lb_healthy_panic')).toBe(0)
    expect(await stat(admin, 'cluster.app.upstream_cx_none_healthy')).toBeGreaterThanOrEqual(1)
    expect(a.received.filter((r) => r.path === '/x').length + b.received.filter((r) => r.path === '/x').length).toBe(0)
  })

  test('Envoy bootstrap: common_lb_config.healthy_panic_threshold { value: 0 } turns panic off too', async () => {
    const a = await sickUpstream('a')
    const bootstrap = oneClusterBootstrap({
      name: 'app',
      type: 'STATIC',
      common_lb_config: { healthy_panic_threshold: { value: 0 } },
      health_checks: [{ timeout: '0.2s', interval: '0.2s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path: '/healthz' } }],
      load_assignment: { cluster_name: 'app', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: a.port } } } }] }] },
    })
    const proxy = await group.proxy('panic-envoy', JSON.stringify(bootstrap), {}, { args: ['--concurrency', '1'] })
    await allFailed(proxy.url('admin'), [a])
    expect((await fetch(`${proxy.url('ingress_http')}/x`)).status).toBe(503)
    expect(await stat(proxy.url('admin'), 'cluster.app.lb_healthy_panic')).toBe(0)
  })
})
