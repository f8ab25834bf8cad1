import { describe, expect, test } from 'bun:test'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'
import { buildAdminApp, type AdminDeps } from './admin-app.ts'
import { lintExposition } from './prometheus-lint.ts'
import type { ServerState } from './server-info.ts'
import { Logger } from '../log/logger.ts'
import { StatsStore } from '../stats/stats-store.ts'

const service1: ClusterSnapshot = {
  name: 'service1',
  type: 'strict_dns',
  lbPolicy: 'round_robin',
  circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
  endpoints: [
    {
      address: '127.0.0.11',
      port: 8000,
      healthFlags: 'healthy',
      weight: 1,
      priority: 0,
      activeRequests: 0,
      rqTotal: 3,
      rqSuccess: 3,
      rqError: 0,
      rqTimeout: 0,
      cxTotal: 0,
      cxActive: 0,
      cxConnectFail: 0,
      hostname: '',
    },
  ],
}

function setup(options: { state?: ServerState; ready?: boolean } = {}) {
  const stats = new StatsStore()
  const cluster = stats.cluster('service1')
  cluster.upstream_rq_total.inc(3)
  cluster.upstream_rq_2xx.inc(3)
  cluster.code(200).inc(3)
  stats.listener('ingress_http').downstream_rq_total.inc(3)
  stats.server().live.set(1)
  let failing = false
  const logger = new Logger(() => {})
  const deps: AdminDeps = {
    stats,
    clusters: () => [service1],
    listeners: () => [
      { name: 'ingress_http', address: '0.0.0.0', port: 8000 },
      { name: 'ingress_v6', address: '::1', port: 8443 },
    ],
    memory: () => ({ rss: 4096, heapTotal: 2048, heapUsed: 1024, external: 8 }),
    logging: { levels: () => logger.levels(), apply: (query) => logger.apply(query) },
    configDump: () => ({ node: { cluster: 'front-proxy', id: 'front-1' }, clusters: [{ name: 'service1' }] }),
    serverInfo: () => ({
      version: '0.1.0',
      state: options.state ?? 'LIVE',
      uptimeSeconds: 188.7,
      commandLineOptions: { config_path: 'routes/front-proxy.yaml', mode: 'serve', log_level: 'info', concurrency: 1 },
      node: { id: 'front-1', cluster: 'front-proxy' },
      runtime: 'bun 1.4.5',
    }),
    healthcheck: { fail: () => void (failing = true), ok: () => void (failing = false), failing: () => failing },
    ready: () => options.ready ?? true,
  }
  return { app: buildAdminApp(deps), stats }
}

const TEXT = 'text/plain; charset=UTF-8'

describe('admin: /ready and health checks', () => {
  test('LIVE when ready', async () => {
    const response = await setup().app.request('/ready')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(TEXT)
    expect(await response.text()).toBe('LIVE\n')
  })

  test('PRE_INITIALIZING until ready', async () => {
    const notReady = await setup({ ready: false }).app.request('/ready')
    expect(notReady.status).toBe(503)
    expect(await notReady.text()).toBe('PRE_INITIALIZING\n')
    const starting = await setup({ state: 'PRE_INITIALIZING' }).app.request('/ready')
    expect(await starting.text()).toBe('PRE_INITIALIZING\n')
  })

  test('POST /healthcheck/fail drains, POST /healthcheck/ok restores', async () => {
    const { app } = setup()
    const fail = await app.request('/healthcheck/fail', { method: 'POST' })
    expect(fail.status).toBe(200)
    expect(await fail.text()).toBe('OK\n')
    const draining = await app.request('/ready')
    expect(draining.status).toBe(503)
    expect(await draining.text()).toBe('DRAINING\n')
    expect(((await (await app.request('/server_info')).json()) as { state: string }).state).toBe('DRAINING')
    await app.request('/healthcheck/ok', { method: 'POST' })
    expect((await app.request('/ready')).status).toBe(200)
  })

  test('GET on a mutation is 405 with a hint and changes nothing', async () => {
    const { app } = setup()
    const response = await app.request('/healthcheck/fail')
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await response.text()).toContain('use POST /healthcheck/fail')
    expect((await app.request('/ready')).status).toBe(200)
  })

  test('POST /reset_counters zeroes counters', async () => {
    const { app, stats } = setup()
    expect((await app.request('/reset_counters', { method: 'POST' })).status).toBe(200)
    expect(stats.get('cluster.service1.upstream_rq_total').value).toBe(0)
    expect(stats.get('server.live').value).toBe(1)
  })
})

describe('admin: /server_info and /config_dump', () => {
  test("/server_info has Envoy's fields", async () => {
    const response = await setup().app.request('/server_info')
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      version: '0.1.0',
      state: 'LIVE',
      uptime_current_epoch: '188s',
      uptime_all_epochs: '188s',
      command_line_options: { service_cluster: 'front-proxy', service_node: 'front-1', config_path: 'routes/front-proxy.yaml', mode: 'serve' },
      node: { id: 'front-1', cluster: 'front-proxy', user_agent_name: 'edgeway' },
      runtime: 'bun 1.4.5',
    })
  })

  test('/config_dump is the effective config as JSON', async () => {
    const response = await setup().app.request('/config_dump')
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ node: { cluster: 'front-proxy', id: 'front-1' }, clusters: [{ name: 'service1' }] })
  })
})

describe('admin: /listeners and /memory', () => {
  test('/listeners: name::address:port lines (IPv6 bracketed) and listener_statuses JSON', async () => {
    const { app } = setup()
    expect(await (await app.request('/listeners')).text()).toBe('ingress_http::0.0.0.0:8000\ningress_v6::[::1]:8443\n')
    expect(await (await app.request('/listeners?format=json')).json()).toEqual({
      listener_statuses: [
        { name: 'ingress_http', local_address: { socket_address: { address: '0.0.0.0', port_value: 8000 } } },
        { name: 'ingress_v6', local_address: { socket_address: { address: '::1', port_value: 8443 } } },
      ],
    })
  })

  test("/memory: Envoy's fields as decimal strings", async () => {
    const body = await (await setup().app.request('/memory')).json()
    expect(body).toEqual({ allocated: '1024', heap_size: '2048', external: '8', total_physical_bytes: '4096' })
  })
})

describe('admin: /logging', () => {
  test('GET lists every logger; POST ?level= and ?<logger>= change them; a bad query is a 400 that changes nothing', async () => {
    const { app } = setup()
    const listing = await (await app.request('/logging')).text()
    expect(listing).toStartWith('active loggers:\n')
    expect(listing).toContain('  router: info\n')
    const changed = await app.request('/logging?router=debug', { method: 'POST' })
    expect(changed.status).toBe(200)
    expect(await changed.text()).toContain('  router: debug\n')
    const all = await (await app.request('/logging?level=trace', { method: 'POST' })).text()
    expect(all).toContain('  upstream: trace\n')
    const bad = await app.request('/logging?level=loud', { method: 'POST' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('unknown level "loud"')
    expect(await (await app.request('/logging')).text()).toContain('  upstream: trace\n')
  })
})

describe('admin: /stats', () => {
  test('text lines sorted by name, counters and gauges first, then histograms (as Envoy)', async () => {
    const response = await setup().app.request('/stats')
    expect(response.headers.get('content-type')).toBe(TEXT)
    const all = (await response.text()).trimEnd().split('\n')
    const histograms = all.filter((line) => line.endsWith(': No recorded values') || / P0\(/.test(line))
    const lines = all.slice(0, all.length - histograms.length)
    expect(histograms).toEqual([
      'cluster.service1.upstream_cx_connect_ms: No recorded values',
      'cluster.service1.upstream_cx_length_ms: No recorded values',
      'cluster.service1.upstream_rq_time: No recorded values',
      'http.ingress_http.downstream_rq_time: No recorded values',
    ])
    expect(lines).toContain('cluster.service1.upstream_rq_total: 3')
    expect(lines).toContain('http.ingress_http.downstream_rq_total: 3')
    expect(lines).toEqual([...lines].sort())
    for (const line of lines) expect(line).toMatch(/^[^:\s]+: -?\d+$/)
  })

  test('?filter and ?usedonly', async () => {
    const { app } = setup()
    expect(await (await app.request('/stats?filter=upstream_rq_total')).text()).toBe('cluster.service1.upstream_rq_total: 3\n')
    const used = await (await app.request('/stats?usedonly&filter=^cluster')).text()
    expect(used).toBe('cluster.service1.upstream_rq_200: 3\ncluster.service1.upstream_rq_2xx: 3\ncluster.service1.upstream_rq_total: 3\n')
  })

  test('a bad regex is a 400 with the reason', async () => {
    const response = await setup().app.request('/stats?filter=(oops')
    expect(response.status).toBe(400)
    expect(await response.text()).toStartWith('Invalid regex: ')
    expect((await setup().app.request('/stats/prometheus?filter=[z-a]')).status).toBe(400)
  })

  test('?format=json', async () => {
    const response = await setup().app.request('/stats?format=json&filter=downstream_rq_total')
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ stats: [{ name: 'http.ingress_http.downstream_rq_total', value: 3 }] })
  })

  test('?format=prometheus equals /stats/prometheus; unknown formats are 400', async () => {
    const { app } = setup()
    const viaQuery = await (await app.request('/stats?format=prometheus')).text()
    expect(viaQuery).toBe(await (await app.request('/stats/prometheus')).text())
    expect((await app.request('/stats?format=xml')).status).toBe(400)
  })

  test('/stats/prometheus is a valid exposition with Envoy names', async () => {
    const response = await setup().app.request('/stats/prometheus')
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const body = await response.text()
    expect(lintExposition(body)).toEqual([])
    expect(body).toContain('envoy_cluster_upstream_rq_total{envoy_cluster_name="service1"} 3\n')
    expect(body).toContain('envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="service1"} 3\n')
    expect(body).toContain('envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="service1"} 3\n')
    expect(body).toContain('envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress_http"} 3\n')
  })
})

describe('admin: /clusters', () => {
  test('text lines', async () => {
    const response = await setup().app.request('/clusters')
    expect(response.headers.get('content-type')).toBe(TEXT)
    const text = await response.text()
    expect(text).toContain('service1::default_priority::max_connections::1024\n')
    expect(text).toContain('service1::127.0.0.11:8000::rq_total::3\n')
    expect(text).toContain('service1::127.0.0.11:8000::health_flags::healthy\n')
  })

  test('?format=json', async () => {
    const response = await setup().app.request('/clusters?format=json')
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = (await response.json()) as { cluster_statuses: { name: string; host_statuses: unknown[] }[] }
    expect(body.cluster_statuses[0]?.name).toBe('service1')
    expect(body.cluster_statuses[0]?.host_statuses[0]).toMatchObject({
      address: { socket_address: { address: '127.0.0.11', port_value: 8000 } },
      health_status: { eds_health_status: 'HEALTHY' },
    })
  })
})

describe('admin: help, unknown paths, errors', () => {
  test('/ and /help list the endpoints', async () => {
    const { app } = setup()
    for (const path of ['/', '/help']) {
      const response = await app.request(path)
      expect(response.status).toBe(200)
      const text = await response.text()
      expect(text).toStartWith('admin commands are:\n')
      expect(text).toContain('  /stats/prometheus: ')
      expect(text).toContain('  POST /healthcheck/fail: ')
    }
  })

  test('unknown path is 404 with the list', async () => {
    const response = await setup().app.request('/nope')
    expect(response.status).toBe(404)
    expect(await response.text()).toStartWith('invalid path. admin commands are:\n')
  })

  test('read-only endpoints refuse POST and answer HEAD', async () => {
    const { app } = setup()
    expect((await app.request('/stats', { method: 'POST' })).status).toBe(405)
    const head = await app.request('/ready', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  test('a failing dependency is a 500 with the reason, and admin headers are set', async () => {
    const { app } = setup()
    const broken = buildAdminApp({
      stats: new StatsStore(),
      clusters: () => [],
      listeners: () => [],
      memory: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }),
      logging: { levels: () => [], apply: () => [] },
      configDump: () => {
        throw new Error('config unavailable')
      },
      serverInfo: () => {
        throw new Error('unused')
      },
      healthcheck: { fail: () => {}, ok: () => {}, failing: () => false },
      ready: () => true,
    })
    const response = await broken.request('/config_dump')
    expect(response.status).toBe(500)
    expect(await response.text()).toBe('admin error: config unavailable\n')
    const ready = await app.request('/ready')
    expect(ready.headers.get('cache-control')).toBe('no-cache, max-age=0')
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
