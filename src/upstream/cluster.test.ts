import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig } from '../config/model.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { Cluster } from './cluster.ts'

function setup(overrides: Partial<ClusterConfig> = {}) {
  const stats = new StatsStore()
  const clock = new ManualClock()
  const cluster = new Cluster(
    clusterConfig({ endpoints: [{ address: '10.0.0.1', port: 80 }, { address: '10.0.0.2', port: 80 }], ...overrides }),
    // A random source of 0: round robin's start (Envoy's seed_) is the first endpoint.
    { stats: stats.cluster('service1'), clock, random: () => 0 },
  )
  cluster.setMembers(cluster.config.endpoints)
  const stat = (name: string) => stats.get(`cluster.service1.${name}`).value
  return { cluster, clock, stat }
}

describe('cluster', () => {
  test('pick goes through the configured load balancer and honours exclude', () => {
    const { cluster } = setup()
    const [a, b] = cluster.endpoints()
    expect([cluster.pick(), cluster.pick(), cluster.pick()]).toEqual([a, b, a])
    expect(cluster.pick({ exclude: new Set([b!]) })).toBe(a)
  })

  test('no ready endpoint: undefined and upstream_cx_none_healthy', () => {
    const { cluster, stat } = setup({ endpoints: [] })
    expect(cluster.pick()).toBeUndefined()
    expect(stat('upstream_cx_none_healthy')).toBe(1)
    // As Envoy's recalculatePerPriorityPanic: an empty cluster is in panic, over nothing.
    expect(stat('lb_healthy_panic')).toBe(1)
  })

  test('panic: every endpoint failing its health check is still picked, each pick counted in lb_healthy_panic', () => {
    const { cluster, stat } = setup()
    for (const e of cluster.endpoints()) e.failedActiveHc = true
    const [a, b] = cluster.endpoints()
    expect([cluster.pick(), cluster.pick(), cluster.pick()]).toEqual([a, b, a])
    expect(stat('lb_healthy_panic')).toBe(3)
    expect(stat('upstream_cx_none_healthy')).toBe(0)
    // Half ready is not below Envoy's 50 %: no panic, only the ready one.
    a!.failedActiveHc = false
    expect([cluster.pick(), cluster.pick()]).toEqual([a, a])
    expect(stat('lb_healthy_panic')).toBe(3)
  })

  test('panic threshold 0: none ready is undefined and upstream_cx_none_healthy, never lb_healthy_panic', () => {
    const { cluster, stat } = setup({ healthyPanicThreshold: 0 })
    for (const e of cluster.endpoints()) e.ejectedUntilMs = Number.MAX_SAFE_INTEGER
    expect(cluster.pick()).toBeUndefined()
    expect(stat('upstream_cx_none_healthy')).toBe(1)
    expect(stat('lb_healthy_panic')).toBe(0)
  })

  test('recordOutcome feeds the per-endpoint request counters /clusters shows (connections are the client\'s)', () => {
    const { cluster } = setup()
    const [a] = cluster.endpoints()
    for (const outcome of ['success', 'success', '5xx', 'timeout', 'connect-failure', 'reset'] as const) cluster.recordOutcome(a!, outcome)
    a!.activeRequests = 2
    expect(cluster.snapshot().endpoints[0]).toEqual({
      address: '10.0.0.1',
      port: 80,
      healthFlags: 'healthy',
      weight: 1,
      priority: 0,
      activeRequests: 2,
      rqTotal: 6,
      rqSuccess: 2,
      rqError: 3,
      rqTimeout: 1,
      cxTotal: 0,
      cxActive: 0,
      cxConnectFail: 0,
      hostname: '',
    })
  })

  test('without outlier detection, failures never eject', () => {
    const { cluster, clock } = setup()
    const [a] = cluster.endpoints()
    for (let i = 0; i < 50; i++) cluster.recordOutcome(a!, '5xx')
    expect(a!.isReady(clock.now())).toBe(true)
  })

  test('setMembers collapses duplicates, keeps survivors in place and counts changes only', () => {
    const { cluster, stat } = setup()
    const [a, b] = cluster.endpoints()
    expect(stat('membership_change')).toBe(1)
    expect(cluster.setMembers([{ address: '10.0.0.2', port: 80 }, { address: '10.0.0.1', port: 80 }, { address: '10.0.0.2', port: 80 }])).toBe(false)
    expect(cluster.endpoints()).toEqual([a!, b!])
    expect(stat('membership_change')).toBe(1)
    expect(cluster.setMembers([{ address: '10.0.0.2', port: 80 }, { address: '10.0.0.2', port: 81 }])).toBe(true)
    expect(cluster.endpoints().map((e) => e.key)).toEqual(['10.0.0.2:80', '10.0.0.2:81'])
    expect(cluster.endpoints()[0]).toBe(b)
    expect([stat('membership_change'), stat('membership_total'), stat('membership_healthy')]).toEqual([2, 2, 2])
  })

  test('circuit breakers: max requests and max retries, with their overflow stats and the active gauge', () => {
    const { cluster, stat } = setup({ circuitBreakers: { maxConnections: 9, maxPendingRequests: 9, maxRequests: 2, maxRetries: 1, trackRemaining: false } })
    expect([cluster.tryAcquireRequest(), cluster.tryAcquireRequest(), cluster.tryAcquireRequest()]).toEqual([true, true, false])
    expect([stat('upstream_rq_active'), stat('upstream_rq_pending_overflow')]).toEqual([2, 1])
    cluster.releaseRequest()
    expect(cluster.tryAcquireRequest()).toBe(true)
    cluster.releaseRequest()
    cluster.releaseRequest()
    cluster.releaseRequest() // an extra release must not go negative
    expect(stat('upstream_rq_active')).toBe(0)

    expect([cluster.tryAcquireRetry(), cluster.tryAcquireRetry()]).toEqual([true, false])
    expect(stat('upstream_rq_retry_overflow')).toBe(1)
    cluster.releaseRetry()
    expect(cluster.tryAcquireRetry()).toBe(true)
  })

  test('snapshot carries type, policy and circuit breaker limits', () => {
    const { cluster } = setup({ type: 'strict_dns', lbPolicy: 'least_request' })
    const { endpoints, ...rest } = cluster.snapshot()
    expect(rest).toEqual({
      name: 'service1',
      type: 'strict_dns',
      lbPolicy: 'least_request',
      circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 },
    })
    expect(endpoints.map((e) => `${e.address}:${e.port}`)).toEqual(['10.0.0.1:80', '10.0.0.2:80'])
  })
})
