// Priority levels on a cluster (Envoy's LocalityLbEndpoints.priority): traffic stays on P0 while it
// is healthy enough, spills to P1 in the share Envoy computes, and each level keeps a balancer of
// the cluster's policy. Health comes from a probe the test answers; time from a manual clock.

import { describe, expect, test } from 'bun:test'
import { clustersJson, renderClustersText } from '../admin/clusters-text.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig, EndpointAddress, HealthCheckConfig } from '../config/model.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { Cluster } from './cluster.ts'
import type { HealthProbe } from './health-checker.ts'
import { loadXxHash64 } from './lb/xxhash64.ts'

await loadXxHash64()

const healthCheck: HealthCheckConfig = { path: '/healthz', intervalMs: 1_000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 1, expectedStatuses: [[200, 300]] }

/** `p0` endpoints 10.0.0.1.. at priority 0, then `p1` at priority 1 (10.0.1.x), and so on. */
function levels(...counts: number[]): EndpointAddress[] {
  return counts.flatMap((n, priority) => Array.from({ length: n }, (_, i) => ({ address: `10.0.${priority}.${i + 1}`, port: 80, ...(priority > 0 && { priority }) })))
}

async function setup(counts: number[], overrides: Partial<ClusterConfig> = {}, random: () => number = Math.random) {
  const stats = new StatsStore()
  const clock = new ManualClock()
  const status = new Map<string, number>()
  const probe: HealthProbe = async (endpoint) => status.get(endpoint.key) ?? 200
  const cluster = new Cluster(clusterConfig({ healthCheck, ...overrides }), { stats: stats.cluster('service1'), clock, probe, random })
  cluster.setMembers(levels(...counts))
  await cluster.startHealthChecks()
  /** Sets the listed endpoints' /healthz answers and lets one check round see them. */
  const answer = async (keys: string[], code: number) => {
    for (const key of keys) status.set(key, code)
    await clock.advance(healthCheck.intervalMs)
  }
  const stat = (name: string) => stats.get(`cluster.service1.${name}`).value
  const shares = (n: number) => {
    const count: Record<string, number> = {}
    for (let i = 0; i < n; i++) {
      const e = cluster.pick()
      const level = e ? `P${e.address.split('.')[2]}` : 'none'
      count[level] = (count[level] ?? 0) + 1
    }
    return count
  }
  return { cluster, answer, stat, shares }
}

/** A random source walking 0, 1/n, 2/n … so n rolls of choosePriority cover 1..100 evenly. */
function sweep(n: number): () => number {
  let i = 0
  return () => (i++ % n) / n
}

describe('priority levels', () => {
  test('a healthy P0 takes every pick; P1 none', async () => {
    const { shares } = await setup([2, 2])
    expect(shares(200)).toEqual({ P0: 200 })
  })

  test('half of P0 down (70 % health): 70 / 30, round robin within each level', async () => {
    const { cluster, answer, shares } = await setup([2, 2], {}, sweep(100))
    await answer(['10.0.0.2:80'], 503)
    expect(shares(1000)).toEqual({ P0: 700, P1: 300 })
    const p1 = Array.from({ length: 400 }, () => cluster.pick()!.address).filter((a) => a.startsWith('10.0.1.'))
    expect(new Set(p1)).toEqual(new Set(['10.0.1.1', '10.0.1.2']))
  })

  test('P0 all down: everything to P1, and back when P0 recovers', async () => {
    const { answer, shares, stat } = await setup([2, 2])
    await answer(['10.0.0.1:80', '10.0.0.2:80'], 503)
    expect(shares(100)).toEqual({ P1: 100 })
    expect(stat('lb_healthy_panic')).toBe(0)
    await answer(['10.0.0.1:80', '10.0.0.2:80'], 200)
    expect(shares(100)).toEqual({ P0: 100 })
  })

  test('every level down: total panic by endpoint count, counted in lb_healthy_panic', async () => {
    const { answer, shares, stat } = await setup([1, 3], {}, sweep(100))
    await answer(['10.0.0.1:80', '10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80'], 503)
    expect(shares(400)).toEqual({ P0: 100, P1: 300 })
    expect(stat('lb_healthy_panic')).toBe(400)
  })

  test('fail_traffic_on_panic: the same total panic picks nothing (503 UH), still counted', async () => {
    const { answer, shares, stat } = await setup([1, 3], { failTrafficOnPanic: true })
    await answer(['10.0.0.1:80', '10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80'], 503)
    expect(shares(10)).toEqual({ none: 10 })
    expect([stat('lb_healthy_panic'), stat('upstream_cx_none_healthy')]).toEqual([10, 10])
  })

  test('fail_traffic_on_panic with one level: panic picks nothing', async () => {
    const { answer, shares } = await setup([2], { failTrafficOnPanic: true })
    await answer(['10.0.0.1:80', '10.0.0.2:80'], 503)
    expect(shares(5)).toEqual({ none: 5 })
  })

  test('threshold 0 with no health anywhere: P0 is chosen and has nothing (503 UH)', async () => {
    const { answer, shares } = await setup([1, 1], { healthyPanicThreshold: 0 })
    await answer(['10.0.0.1:80', '10.0.1.1:80'], 503)
    expect(shares(5)).toEqual({ none: 5 })
  })

  test('ring_hash: the level from the hash (hash % 100 + 1), a ring per level; the same hash keeps its endpoint', async () => {
    const { cluster, answer } = await setup([2, 2], { lbPolicy: 'ring_hash' })
    await answer(['10.0.0.2:80'], 503)
    // 70 / 30: hashes ending 0..69 mod 100 go to P0, 70..99 to P1.
    expect(cluster.pick({ hash: 169n })!.address.startsWith('10.0.0.')).toBe(true)
    expect(cluster.pick({ hash: 170n })!.address.startsWith('10.0.1.')).toBe(true)
    expect(cluster.pick({ hash: 1099n })!.address).toBe(cluster.pick({ hash: 1099n })!.address)
  })

  test('maglev over two levels keeps P0 while it is healthy', async () => {
    const { cluster } = await setup([2, 2], { lbPolicy: 'maglev', maglevTableSize: 7 })
    for (let h = 0n; h < 50n; h++) expect(cluster.pick({ hash: h })!.address.startsWith('10.0.0.')).toBe(true)
  })

  test('a skipped level (0 and 2) is an empty P1, as in Envoy', async () => {
    const stats = new StatsStore()
    const cluster = new Cluster(clusterConfig(), { stats: stats.cluster('service1'), clock: new ManualClock() })
    cluster.setMembers([{ address: '10.0.0.1', port: 80 }, { address: '10.0.2.1', port: 80, priority: 2 }])
    expect(cluster.pick()!.address).toBe('10.0.0.1')
  })

  test("a reload moving an endpoint to another priority changes the membership; /clusters shows each endpoint's priority", async () => {
    const stats = new StatsStore()
    const cluster = new Cluster(clusterConfig(), { stats: stats.cluster('service1'), clock: new ManualClock() })
    cluster.setMembers(levels(1, 1))
    expect(cluster.setMembers([{ address: '10.0.0.1', port: 80, priority: 1 }, { address: '10.0.1.1', port: 80 }])).toBe(true)
    expect(cluster.pick()!.address).toBe('10.0.1.1')
    const text = renderClustersText([cluster.snapshot()])
    expect(text).toContain('service1::10.0.0.1:80::priority::1\n')
    expect(text).toContain('service1::10.0.1.1:80::priority::0\n')
    const hosts = (clustersJson([cluster.snapshot()]) as { cluster_statuses: { host_statuses: { priority?: number }[] }[] }).cluster_statuses[0]!.host_statuses
    expect(hosts.map((h) => h.priority)).toEqual([1, undefined])
  })
})

describe('locality weighted balancing (locality_weighted_lb_config)', () => {
  const X = { region: 'local', zone: 'zone-1', subZone: '' }
  const Y = { region: 'remote', zone: 'zone-2', subZone: 'a' }
  /** Locality X weight `wx` (10.0.0.1-2), Y weight `wy` (10.0.0.3-4), all priority 0. */
  const members = (wx: number | undefined, wy: number | undefined): EndpointAddress[] => [
    ...[1, 2].map((n) => ({ address: `10.0.0.${n}`, port: 80, locality: X, ...(wx !== undefined && { localityWeight: wx }) })),
    ...[3, 4].map((n) => ({ address: `10.0.0.${n}`, port: 80, locality: Y, ...(wy !== undefined && { localityWeight: wy }) })),
  ]
  async function weighted(wx: number | undefined, wy: number | undefined, overrides: Partial<ClusterConfig> = {}) {
    const s = await setup([], { localityWeightedLb: true, ...overrides })
    s.cluster.setMembers(members(wx, wy))
    await s.answer([], 200)
    const split = (n: number) => {
      const count = { X: 0, Y: 0, none: 0 }
      for (let i = 0; i < n; i++) {
        const e = s.cluster.pick()
        count[!e ? 'none' : Number(e.address.split('.')[3]) <= 2 ? 'X' : 'Y']++
      }
      return count
    }
    return { ...s, split }
  }

  test('weights 1 and 2: one pick in three to X, by EDF over the localities; round robin within each', async () => {
    const { cluster, split } = await weighted(1, 2)
    expect(split(300)).toEqual({ X: 100, Y: 200, none: 0 })
    expect(new Set(Array.from({ length: 30 }, () => cluster.pick()!.address))).toEqual(new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']))
  })

  test("half of Y down: Y's weight 2 × min(1, 1.4 × 0.5) = 1.4 against X's 1; picks in Y only go to its ready endpoint", async () => {
    const { answer, split, cluster } = await weighted(1, 2)
    await answer(['10.0.0.4:80'], 503)
    const { X: x, Y: y } = split(2400)
    expect(Math.abs(x - 1000)).toBeLessThanOrEqual(1)
    expect(Math.abs(y - 1400)).toBeLessThanOrEqual(1)
    expect(Array.from({ length: 50 }, () => cluster.pick()!.address)).not.toContain('10.0.0.4')
  })

  test('a locality without load_balancing_weight gets no load; all of one locality down gets none either', async () => {
    expect((await weighted(undefined, 2)).split(20)).toEqual({ X: 0, Y: 20, none: 0 })
    const { answer, split } = await weighted(1, 2)
    await answer(['10.0.0.3:80', '10.0.0.4:80'], 503)
    expect(split(20)).toEqual({ X: 20, Y: 0, none: 0 })
  })

  test('no locality weighted at all: the level is balanced as a whole, as Envoy does without a schedule', async () => {
    expect((await weighted(undefined, undefined)).split(40)).toEqual({ X: 20, Y: 20, none: 0 })
  })

  test('without locality_weighted_lb_config unequal locality weights are ignored, as in Envoy', async () => {
    const s = await setup([], {})
    s.cluster.setMembers(members(1, 9))
    const count = { X: 0, Y: 0 }
    for (let i = 0; i < 40; i++) count[Number(s.cluster.pick()!.address.split('.')[3]) <= 2 ? 'X' : 'Y']++
    expect(count).toEqual({ X: 20, Y: 20 })
  })

  test('a level in panic balances over all its endpoints, localities aside', async () => {
    const { answer, split, stat } = await weighted(1, 2)
    await answer(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], 503)
    // 1 ready of 4 (25 %) is under the 50 % threshold: all four, X's two included.
    const { X: x, Y: y } = split(400)
    expect([x, y]).toEqual([200, 200])
    expect(stat('lb_healthy_panic')).toBe(400)
  })

  test("/clusters shows each endpoint's region, zone and sub_zone, and its locality in JSON", async () => {
    const { cluster } = await weighted(1, 2)
    const text = renderClustersText([cluster.snapshot()])
    expect(text).toContain('service1::10.0.0.1:80::region::local\nservice1::10.0.0.1:80::zone::zone-1\nservice1::10.0.0.1:80::sub_zone::\n')
    expect(text).toContain('service1::10.0.0.3:80::region::remote\nservice1::10.0.0.3:80::zone::zone-2\nservice1::10.0.0.3:80::sub_zone::a\n')
    const hosts = (clustersJson([cluster.snapshot()]) as { cluster_statuses: { host_statuses: { locality: unknown }[] }[] }).cluster_statuses[0]!.host_statuses
    expect(hosts.map((h) => h.locality)).toEqual([{ region: 'local', zone: 'zone-1' }, { region: 'local', zone: 'zone-1' }, { region: 'remote', zone: 'zone-2', sub_zone: 'a' }, { region: 'remote', zone: 'zone-2', sub_zone: 'a' }])
  })
})
