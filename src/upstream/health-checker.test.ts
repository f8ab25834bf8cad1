import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import type { HealthCheckConfig } from '../config/model.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { Cluster } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'
import type { HealthProbe } from './health-checker.ts'

const healthCheck: HealthCheckConfig = {
  path: '/healthz',
  intervalMs: 1_000,
  timeoutMs: 200,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  expectedStatuses: [[200, 300]],
}

/** Answers per endpoint key from a mutable table; records every probe. */
function scriptedProbe(initial: Record<string, number | boolean | 'hang' | 'reject'>) {
  const answers = new Map(Object.entries(initial))
  const calls: string[] = []
  const probe: HealthProbe = (endpoint, path, timeoutMs) => {
    calls.push(`${endpoint.key}${path}@${timeoutMs}`)
    const answer = answers.get(endpoint.key) ?? 200
    if (answer === 'hang') return new Promise(() => {})
    if (answer === 'reject') return Promise.reject(new Error('connection refused'))
    return Promise.resolve(answer)
  }
  return { probe, answers, calls }
}

function setup(probe: HealthProbe, count = 2) {
  const stats = new StatsStore()
  const clock = new ManualClock()
  const cluster = new Cluster(clusterConfig({ healthCheck }), { stats: stats.cluster('service1'), clock, probe })
  cluster.setMembers(Array.from({ length: count }, (_, i) => ({ address: `10.0.0.${i + 1}`, port: 80 })))
  const stat = (name: string) => stats.get(`cluster.service1.${name}`).value
  const ready = () => cluster.endpoints().filter((e) => e.isReady(clock.now())).map((e: Endpoint) => e.key)
  return { cluster, clock, stat, ready }
}

describe('active health checks', () => {
  test('endpoints start unhealthy; one passing check admits them', async () => {
    const { probe, calls } = scriptedProbe({ '10.0.0.2:80': 503 })
    const { cluster, stat, ready } = setup(probe)
    expect(ready()).toEqual([])
    expect(cluster.snapshot().endpoints[0]!.healthFlags).toBe('/failed_active_hc')
    expect(stat('membership_healthy')).toBe(0)
    await cluster.startHealthChecks()
    expect(calls).toEqual(['10.0.0.1:80/healthz@200', '10.0.0.2:80/healthz@200'])
    expect(ready()).toEqual(['10.0.0.1:80'])
    expect([stat('health_check.attempt'), stat('health_check.success'), stat('health_check.failure')]).toEqual([2, 1, 1])
    expect(stat('membership_healthy')).toBe(1)
    cluster.stop()
  })

  test('unhealthyThreshold failures in a row mark it failed; healthyThreshold successes bring it back', async () => {
    const { probe, answers } = scriptedProbe({})
    const { cluster, clock, ready, stat } = setup(probe)
    await cluster.startHealthChecks()
    expect(ready()).toEqual(['10.0.0.1:80', '10.0.0.2:80'])

    answers.set('10.0.0.1:80', 500)
    await clock.advance(1_000)
    await clock.advance(1_000)
    expect(ready()).toEqual(['10.0.0.1:80', '10.0.0.2:80'])
    await clock.advance(1_000)
    expect(ready()).toEqual(['10.0.0.2:80'])
    expect(stat('membership_healthy')).toBe(1)

    answers.set('10.0.0.1:80', 204)
    await clock.advance(1_000)
    expect(ready()).toEqual(['10.0.0.2:80'])
    await clock.advance(1_000)
    expect(ready()).toEqual(['10.0.0.1:80', '10.0.0.2:80'])
    cluster.stop()
  })

  test('a streak is broken by the other result', async () => {
    const { probe, answers } = scriptedProbe({})
    const { cluster, clock, ready } = setup(probe, 1)
    await cluster.startHealthChecks()
    for (const answer of [500, 500, 200, 500, 500]) {
      answers.set('10.0.0.1:80', answer)
      await clock.advance(1_000)
    }
    expect(ready()).toEqual(['10.0.0.1:80'])
    cluster.stop()
  })

  test('no response, a rejected probe or a false verdict is a failure; the probe timeout is enforced', async () => {
    const { probe } = scriptedProbe({ '10.0.0.1:80': 'hang', '10.0.0.2:80': 'reject', '10.0.0.3:80': false })
    const { cluster, clock, stat, ready } = setup(probe, 3)
    const started = cluster.startHealthChecks()
    await clock.advance(200)
    await started
    expect(ready()).toEqual([])
    expect([stat('health_check.attempt'), stat('health_check.failure')]).toEqual([3, 3])
    cluster.stop()
    expect(clock.pending()).toBe(0)
  })

  test('a timeout longer than the interval: the next round starts an interval after the timed-out one ends, as Envoy', async () => {
    const { probe, calls } = scriptedProbe({ '10.0.0.1:80': 'hang' })
    const stats = new StatsStore()
    const clock = new ManualClock()
    const cluster = new Cluster(clusterConfig({ healthCheck: { ...healthCheck, timeoutMs: 3_000, intervalMs: 2_000 } }), { stats: stats.cluster('service1'), clock, probe })
    cluster.setMembers([{ address: '10.0.0.1', port: 80 }])
    const started = cluster.startHealthChecks()
    await clock.advance(3_000)
    await started
    expect(calls).toEqual(['10.0.0.1:80/healthz@3000'])
    await clock.advance(1_999)
    expect(calls).toHaveLength(1)
    await clock.advance(1)
    expect(calls).toEqual(['10.0.0.1:80/healthz@3000', '10.0.0.1:80/healthz@3000'])
    cluster.stop()
  })

  test('endpoints added by discovery are checked at once, not at the next round', async () => {
    const { probe, calls } = scriptedProbe({})
    const { cluster, clock, ready } = setup(probe, 1)
    await cluster.startHealthChecks()
    cluster.setMembers([{ address: '10.0.0.1', port: 80 }, { address: '10.0.0.9', port: 80 }])
    expect(ready()).toEqual(['10.0.0.1:80'])
    await clock.advance(0)
    expect(ready()).toEqual(['10.0.0.1:80', '10.0.0.9:80'])
    expect(calls).toEqual(['10.0.0.1:80/healthz@200', '10.0.0.9:80/healthz@200'])
    cluster.stop()
  })

  test('stop() ends the rounds', async () => {
    const { probe, calls } = scriptedProbe({})
    const { cluster, clock } = setup(probe, 1)
    await cluster.startHealthChecks()
    cluster.stop()
    await clock.advance(10_000)
    expect(calls).toHaveLength(1)
  })
})
