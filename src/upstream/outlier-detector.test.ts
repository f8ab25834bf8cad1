import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { Cluster } from './cluster.ts'

function setup(count: number, maxEjectionPercent = 100) {
  const stats = new StatsStore()
  const clock = new ManualClock()
  const cluster = new Cluster(
    clusterConfig({ outlierDetection: { consecutive5xx: 3, baseEjectionTimeMs: 30_000, maxEjectionPercent } }),
    { stats: stats.cluster('service1'), clock },
  )
  cluster.setMembers(Array.from({ length: count }, (_, i) => ({ address: `10.0.0.${i + 1}`, port: 80 })))
  const stat = (name: string) => stats.get(`cluster.service1.${name}`).value
  return { cluster, clock, stat, endpoints: cluster.endpoints() }
}

describe('outlier detection (consecutive 5xx)', () => {
  test('ejects after consecutive5xx failures in a row; any failure kind counts', () => {
    const { cluster, clock, stat, endpoints } = setup(2)
    const [a] = endpoints
    cluster.recordOutcome(a!, '5xx')
    cluster.recordOutcome(a!, 'connect-failure')
    expect(a!.isReady(clock.now())).toBe(true)
    cluster.recordOutcome(a!, 'timeout')
    expect(a!.isReady(clock.now())).toBe(false)
    expect(cluster.snapshot().endpoints[0]!.healthFlags).toBe('/failed_outlier_check')
    expect([stat('outlier_detection.ejections_enforced_total'), stat('outlier_detection.ejections_active')]).toEqual([1, 1])
    expect(stat('membership_healthy')).toBe(1)
    for (let i = 0; i < 10; i++) expect(cluster.pick()).toBe(endpoints[1])
  })

  test('a success resets the streak', () => {
    const { cluster, clock, endpoints } = setup(2)
    const [a] = endpoints
    for (const outcome of ['5xx', 'reset', 'success', '5xx', '5xx'] as const) cluster.recordOutcome(a!, outcome)
    expect(a!.isReady(clock.now())).toBe(true)
  })

  test('returns after baseEjectionTimeMs × times ejected', async () => {
    const { cluster, clock, stat, endpoints } = setup(2)
    const [a] = endpoints
    const fail = (n: number) => {
      for (let i = 0; i < n; i++) cluster.recordOutcome(a!, '5xx')
    }
    fail(3)
    await clock.advance(29_999)
    expect(a!.isReady(clock.now())).toBe(false)
    await clock.advance(1)
    expect(a!.isReady(clock.now())).toBe(true)
    expect([stat('outlier_detection.ejections_active'), stat('membership_healthy')]).toEqual([0, 2])

    fail(3) // second ejection: twice as long
    expect(stat('outlier_detection.ejections_enforced_total')).toBe(2)
    await clock.advance(59_999)
    expect(a!.isReady(clock.now())).toBe(false)
    await clock.advance(1)
    expect(a!.isReady(clock.now())).toBe(true)
  })

  test('failures of attempts already in flight do not extend an ejection', () => {
    const { cluster, clock, stat, endpoints } = setup(2)
    const [a] = endpoints
    for (let i = 0; i < 6; i++) cluster.recordOutcome(a!, '5xx')
    expect(stat('outlier_detection.ejections_enforced_total')).toBe(1)
    expect(a!.ejectedUntilMs).toBe(clock.now() + 30_000)
  })

  test('max ejection percent: no ejection that would put the ejected share above it', () => {
    const { cluster, clock, stat, endpoints } = setup(4, 50)
    for (const endpoint of endpoints) for (let i = 0; i < 3; i++) cluster.recordOutcome(endpoint, '5xx')
    expect(endpoints.filter((e) => !e.isReady(clock.now()))).toHaveLength(2)
    expect(stat('outlier_detection.ejections_active')).toBe(2)
  })

  test('an ejected endpoint that leaves the cluster drops its state, gauge and timer', () => {
    const { cluster, clock, stat, endpoints } = setup(2)
    for (let i = 0; i < 3; i++) cluster.recordOutcome(endpoints[0]!, '5xx')
    expect(clock.pending()).toBe(1)
    cluster.setMembers([{ address: '10.0.0.2', port: 80 }])
    expect([stat('outlier_detection.ejections_active'), clock.pending()]).toEqual([0, 0])
  })

  test('stop() clears pending returns', () => {
    const { cluster, clock, endpoints } = setup(2)
    for (let i = 0; i < 3; i++) cluster.recordOutcome(endpoints[0]!, '5xx')
    cluster.stop()
    expect(clock.pending()).toBe(0)
  })
})
