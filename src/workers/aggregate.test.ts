import { describe, expect, test } from 'bun:test'
import { renderPrometheus } from '../admin/prometheus.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'
import { mergeClusters, statSamples, sumStats } from './aggregate.ts'
import type { WorkerSnapshot } from './protocol.ts'

function worker(index: number, requests: number, active: number, clusters: ClusterSnapshot[] = []): WorkerSnapshot {
  const stats = new StatsStore()
  stats.listener('ingress_http').downstream_rq_total.inc(requests)
  stats.listener('ingress_http').downstream_rq_active.set(active)
  stats.cluster('service1').code(200).inc(requests)
  stats.server().concurrency.set(1)
  stats.server().uptime.set(99)
  return { index, pid: 100 + index, stats: statSamples(stats), clusters }
}

function cluster(flags: string, rqTotal: number): ClusterSnapshot {
  return {
    name: 'service1',
    type: 'static',
    lbPolicy: 'round_robin',
    circuitBreakers: { maxConnections: 1, maxPendingRequests: 1, maxRequests: 1, maxRetries: 1 },
    endpoints: [{ address: '127.0.0.1', port: 8080, healthFlags: flags, weight: 1, priority: 0, activeRequests: 1, rqTotal, rqSuccess: rqTotal, rqError: 0, rqTimeout: 0, cxTotal: 2, cxActive: 1, cxConnectFail: 0, hostname: '' }],
  }
}

describe('sumStats', () => {
  test('counters and gauges are summed over workers and keep their kind', () => {
    const primary = new StatsStore()
    primary.server().concurrency.set(2)
    const merged = sumStats(primary, [worker(0, 7, 1), worker(1, 5, 2)])
    const value = (name: string) => merged.all().find((s) => s.name === name)
    expect(value('http.ingress_http.downstream_rq_total')).toMatchObject({ value: 12, kind: 'counter' })
    expect(value('http.ingress_http.downstream_rq_active')).toMatchObject({ value: 3, kind: 'gauge' })
    expect(value('cluster.service1.upstream_rq_200')?.value).toBe(12)
    expect(renderPrometheus(merged.all(), ['service1'])).toContain('# TYPE envoy_http_downstream_rq_active gauge')
  })

  test('cluster membership gauges are the lowest any worker reports, not a sum', () => {
    const snapshot = (index: number, healthy: number): WorkerSnapshot => {
      const stats = new StatsStore()
      stats.cluster('service1').membership_healthy.set(healthy)
      stats.cluster('service1').upstream_rq_active.set(2)
      return { index, pid: 100 + index, stats: statSamples(stats), clusters: [] }
    }
    const merged = sumStats(new StatsStore(), [snapshot(0, 3), snapshot(1, 2), snapshot(2, 3)])
    expect(merged.all().find((s) => s.name === 'cluster.service1.membership_healthy')).toMatchObject({ value: 2, kind: 'gauge' })
    expect(merged.all().find((s) => s.name === 'cluster.service1.upstream_rq_active')?.value).toBe(6)
  })

  test('server.* comes from the primary, not summed', () => {
    const primary = new StatsStore()
    primary.server().concurrency.set(2)
    primary.server().uptime.set(5)
    const merged = sumStats(primary, [worker(0, 1, 0), worker(1, 1, 0)])
    expect(merged.all().find((s) => s.name === 'server.concurrency')?.value).toBe(2)
    expect(merged.all().find((s) => s.name === 'server.uptime')?.value).toBe(5)
  })
})

describe('mergeClusters', () => {
  test('health from the lowest index, endpoint request counts summed', () => {
    const merged = mergeClusters([worker(1, 0, 0, [cluster('/failed_active_hc', 4)]), worker(0, 0, 0, [cluster('healthy', 6)])])
    expect(merged).toHaveLength(1)
    expect(merged[0]!.endpoints[0]).toMatchObject({ healthFlags: 'healthy', rqTotal: 10, rqSuccess: 10, activeRequests: 2 })
  })

  test('no worker answered: no clusters', () => {
    expect(mergeClusters([])).toEqual([])
  })
})
