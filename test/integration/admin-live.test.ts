// The admin listener of a running proxy, after real proxied traffic: stats in text, JSON and
// Prometheus (lint-checked), /clusters, /server_info, /ready and the healthcheck drain switch.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { lintExposition } from '../../src/admin/prometheus-lint.ts'
import { frontProxyYaml, startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const REQUESTS = 6

let upstreams: Upstream[]
let proxy: TestProxy

beforeAll(async () => {
  upstreams = [await startUpstream({ name: 'a' }), await startUpstream({ name: 'b' })]
  proxy = await startProxy(frontProxyYaml(upstreams.map((u) => ({ address: u.address, port: u.port }))))
  for (let i = 0; i < REQUESTS; i++) {
    const response = await fetch(`${proxy.url()}/service/1/n${i}`)
    expect(response.status).toBe(200)
    await response.arrayBuffer()
  }
})

afterAll(async () => {
  await proxy?.stop()
  await Promise.all(upstreams.map((u) => u.stop()))
})

const admin = (path: string, init?: RequestInit) => fetch(proxy.adminUrl() + path, init)

async function statsText(query = ''): Promise<Map<string, number>> {
  const response = await admin(`/stats${query}`)
  expect(response.status).toBe(200)
  const lines = (await response.text()).trimEnd().split('\n')
  return new Map(lines.map((line) => [line.slice(0, line.indexOf(': ')), Number(line.slice(line.indexOf(': ') + 2))]))
}

describe('/stats after proxied traffic', () => {
  test('text: upstream and downstream counters match the requests sent', async () => {
    const stats = await statsText()
    expect(stats.get('cluster.service1.upstream_rq_total')).toBe(REQUESTS)
    expect(stats.get('cluster.service1.upstream_rq_2xx')).toBe(REQUESTS)
    expect(stats.get('cluster.service1.upstream_rq_200')).toBe(REQUESTS)
    expect(stats.get('cluster.service1.membership_healthy')).toBe(2)
    expect(stats.get('cluster.service1.membership_total')).toBe(2)
    // The admin listener's own requests are not downstream traffic of ingress_http.
    expect(stats.get('http.ingress_http.downstream_rq_total')).toBe(REQUESTS)
    expect(stats.get('http.ingress_http.downstream_rq_2xx')).toBe(REQUESTS)
    // Round robin spread the requests over both endpoints.
    expect(upstreams.map((u) => u.received.length)).toEqual([REQUESTS / 2, REQUESTS / 2])
  })

  test('?filter= keeps only the stats whose name matches the regex', async () => {
    const stats = await statsText('?filter=' + encodeURIComponent('^cluster\\.service1\\.upstream_rq_'))
    expect(stats.size).toBeGreaterThan(2)
    for (const name of stats.keys()) expect(name).toStartWith('cluster.service1.upstream_rq_')
    expect(stats.get('cluster.service1.upstream_rq_total')).toBe(REQUESTS)
    const invalid = await admin('/stats?filter=' + encodeURIComponent('('))
    expect(invalid.status).toBe(400)
  })

  test('?format=json lists name and value pairs', async () => {
    const response = await admin('/stats?format=json')
    expect(response.headers.get('content-type')).toStartWith('application/json')
    const { stats } = (await response.json()) as { stats: { name: string; value: number }[] }
    expect(stats).toContainEqual({ name: 'cluster.service1.upstream_rq_total', value: REQUESTS })
    expect(stats).toContainEqual({ name: 'http.ingress_http.downstream_rq_total', value: REQUESTS })
  })

  test('/stats/prometheus is a valid exposition with the cluster as a label', async () => {
    const response = await admin('/stats/prometheus')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('text/plain')
    const body = await response.text()
    expect(lintExposition(body)).toEqual([])
    expect(body).toContain(`envoy_cluster_upstream_rq_total{envoy_cluster_name="service1"} ${REQUESTS}\n`)
    expect(body).toContain('# TYPE envoy_cluster_upstream_rq_total counter\n')
  })
})

describe('/clusters', () => {
  test('text: every endpoint with its health flags and request count', async () => {
    const response = await admin('/clusters')
    const text = await response.text()
    for (const upstream of upstreams) {
      const at = `service1::${upstream.address}:${upstream.port}::`
      expect(text).toContain(`${at}health_flags::healthy\n`)
      expect(text).toContain(`${at}rq_total::${REQUESTS / 2}\n`)
    }
  })

  test('?format=json names the cluster', async () => {
    const body = (await (await admin('/clusters?format=json')).json()) as { cluster_statuses: { name: string }[] }
    expect(body.cluster_statuses.map((c) => c.name)).toEqual(['service1'])
  })
})

describe('server state', () => {
  test('/server_info is JSON with state LIVE', async () => {
    const info = (await (await admin('/server_info')).json()) as { state: string; version: string }
    expect(info.state).toBe('LIVE')
    expect(info.version).toContain('test')
  })

  test('/config_dump holds the listener as configured', async () => {
    const dump = JSON.stringify(await (await admin('/config_dump')).json())
    expect(dump).toContain('"ingress_http"')
    expect(dump).toContain('"service1"')
  })

  test('/ready: 200 LIVE; POST /healthcheck/fail drains to 503; POST /healthcheck/ok restores', async () => {
    const ready = await admin('/ready')
    expect([ready.status, await ready.text()]).toEqual([200, 'LIVE\n'])

    // A GET must not drain the server (a crawler or a browser prefetch).
    expect((await admin('/healthcheck/fail')).status).toBe(405)
    expect((await admin('/ready')).status).toBe(200)

    expect((await admin('/healthcheck/fail', { method: 'POST' })).status).toBe(200)
    const draining = await admin('/ready')
    expect([draining.status, await draining.text()]).toEqual([503, 'DRAINING\n'])
    expect(((await (await admin('/server_info')).json()) as { state: string }).state).toBe('DRAINING')
    // Draining fails health checks; the data path still serves.
    const proxied = await fetch(`${proxy.url()}/service/1/while-draining`)
    expect(proxied.status).toBe(200)
    await proxied.arrayBuffer()

    expect((await admin('/healthcheck/ok', { method: 'POST' })).status).toBe(200)
    const restored = await admin('/ready')
    expect([restored.status, await restored.text()]).toEqual([200, 'LIVE\n'])
  })
})

describe('/listeners and /memory of a running proxy', () => {
  test('/listeners names each listener with the port it bound (port 0 resolved)', async () => {
    const port = Number(new URL(proxy.url()).port)
    const text = await (await admin('/listeners')).text()
    expect(text).toContain(`::127.0.0.1:${port}\n`)
    const json = (await (await admin('/listeners?format=json')).json()) as { listener_statuses: { local_address: { socket_address: { port_value: number } } }[] }
    expect(json.listener_statuses.map((l) => l.local_address.socket_address.port_value)).toContain(port)
  })

  test('/memory reports a plausible RSS and heap', async () => {
    const memory = (await (await admin('/memory')).json()) as Record<string, string>
    expect(Number(memory['total_physical_bytes'])).toBeGreaterThan(10 * 1024 * 1024)
    expect(Number(memory['allocated'])).toBeGreaterThan(0)
    // JavaScriptCore's heapUsed can exceed its heapTotal, so only each on its own is checked.
    expect(Number(memory['heap_size'])).toBeGreaterThan(0)
  })
})

describe('latency histograms after proxied traffic', () => {
  test('upstream_rq_time and downstream_rq_time counted one per request in every format', async () => {
    const prometheus = await (await admin('/stats/prometheus')).text()
    expect(prometheus).toContain('# TYPE envoy_cluster_upstream_rq_time histogram\n')
    // Other tests of this file send requests too: the histograms must agree with the counters.
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(prometheus)?.[1])
    const attempts = value('envoy_cluster_upstream_rq_completed{envoy_cluster_name="service1"}')
    expect(attempts).toBeGreaterThanOrEqual(REQUESTS)
    expect(value('envoy_cluster_upstream_rq_time_count{envoy_cluster_name="service1"}')).toBe(attempts)
    expect(value('envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="service1",le="+Inf"}')).toBe(attempts)
    expect(value('envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix="ingress_http"}')).toBe(value('envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress_http"}'))
    expect(lintExposition(prometheus)).toEqual([])
    const text = await (await admin('/stats?filter=rq_time')).text()
    expect(text).toMatch(/^cluster\.service1\.upstream_rq_time: P0\([^)]*\) P25\(/m)
    const json = (await (await admin('/stats?format=json&filter=upstream_rq_time')).json()) as { stats: { histograms?: { computed_quantiles: { name: string; values: { cumulative: number | null }[] }[] } }[] }
    const histograms = json.stats.find((s) => s.histograms)!.histograms!
    const upstream = histograms.computed_quantiles.find((h) => h.name === 'cluster.service1.upstream_rq_time')!
    expect(upstream.values.at(-1)!.cumulative).toBeGreaterThanOrEqual(0)
  })
})
