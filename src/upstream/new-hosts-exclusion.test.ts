// ignore_new_hosts_until_first_hc on the cluster, manual clock and probes answered by hand: an
// endpoint a DNS answer adds is pending_active_hc (excluded) until its first check ends, as in
// Envoy's updateDynamicHostList / clearPendingFlag / isHostSetInPanic.

import { describe, expect, test } from 'bun:test'
import { clustersJson } from '../admin/clusters-text.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig, HealthCheckConfig } from '../config/model.ts'
import { flush, ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { Cluster } from './cluster.ts'
import type { HealthProbe } from './health-checker.ts'

const healthCheck: HealthCheckConfig = { path: '/healthz', intervalMs: 10_000, timeoutMs: 1_000, healthyThreshold: 2, unhealthyThreshold: 1, expectedStatuses: [[200, 300]] }
const at = (...hosts: number[]) => hosts.map((n) => ({ address: `10.0.0.${n}`, port: 80 }))

/** A probe whose answers the test gives: answer('10.0.0.2:80', 200) settles that endpoint's probe out. */
function heldProbe() {
  const waiting = new Map<string, (status: number) => void>()
  const probe: HealthProbe = (endpoint) => new Promise((resolve) => waiting.set(endpoint.key, resolve))
  const answer = async (key: string, status: number) => {
    waiting.get(key)!(status)
    waiting.delete(key)
    await flush()
  }
  return { probe, answer, waiting }
}

function setup(overrides: Partial<ClusterConfig> = {}) {
  const stats = new StatsStore()
  const clock = new ManualClock()
  const held = heldProbe()
  const config = clusterConfig({ type: 'strict_dns', healthCheck, ignoreNewHostsUntilFirstHc: true, ...overrides })
  const cluster = new Cluster(config, { stats: stats.cluster('service1'), clock, probe: held.probe, random: () => 0 })
  const stat = (name: string) => stats.get(`cluster.service1.${name}`).value
  const flags = () => cluster.snapshot().endpoints.map((e) => `${e.address}:${e.healthFlags}`)
  const picks = (n: number) => Array.from({ length: n }, () => cluster.pick()!.address)
  return { cluster, clock, stat, flags, picks, ...held }
}

/** One endpoint, 10.0.0.1, past its first (passing) check: the cluster as it serves after warming. */
async function warmed(overrides: Partial<ClusterConfig> = {}) {
  const s = setup(overrides)
  s.cluster.setMembers(at(1))
  const first = s.cluster.startHealthChecks()
  await s.answer('10.0.0.1:80', 200)
  await first
  return s
}

describe('ignore_new_hosts_until_first_hc', () => {
  test("the first DNS answer's endpoints are pending too, as Envoy marks them; the first round (what warming waits for) clears them", async () => {
    const { cluster, stat, flags, answer } = setup()
    cluster.setMembers(at(1))
    expect(flags()).toEqual(['10.0.0.1:/failed_active_hc/pending_active_hc'])
    expect([stat('membership_total'), stat('membership_healthy'), stat('membership_excluded')]).toEqual([1, 0, 1])
    const first = cluster.startHealthChecks()
    await answer('10.0.0.1:80', 200)
    await first
    expect(flags()).toEqual(['10.0.0.1:healthy'])
    expect([stat('membership_total'), stat('membership_healthy'), stat('membership_excluded')]).toEqual([1, 1, 0])
  })

  test('a scale-up: the new endpoints take no picks and do not put the cluster in panic until their first check', async () => {
    const { cluster, stat, flags, picks } = await warmed()
    cluster.setMembers(at(1, 2, 3))
    expect(flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:/failed_active_hc/pending_active_hc', '10.0.0.3:/failed_active_hc/pending_active_hc'])
    expect([stat('membership_total'), stat('membership_healthy'), stat('membership_excluded')]).toEqual([3, 1, 2])
    // 1 ready of 3 would be panic (33 % < 50 %); of 3 less 2 excluded it is 100 %.
    expect(picks(6)).toEqual(Array(6).fill('10.0.0.1'))
    expect(stat('lb_healthy_panic')).toBe(0)
  })

  test('without the flag the same scale-up is panic: the unchecked endpoints get picks', async () => {
    const { cluster, stat, flags, picks } = await warmed({ ignoreNewHostsUntilFirstHc: false })
    cluster.setMembers(at(1, 2, 3))
    expect(flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:/failed_active_hc', '10.0.0.3:/failed_active_hc'])
    expect(stat('membership_excluded')).toBe(0)
    expect(new Set(picks(6))).toEqual(new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3']))
    expect(stat('lb_healthy_panic')).toBe(6)
  })

  test('a passing first check includes the endpoint as healthy; a failing one includes it as unhealthy, counted', async () => {
    const { cluster, stat, flags, picks, answer } = await warmed()
    cluster.setMembers(at(1, 2, 3))
    await answer('10.0.0.2:80', 200)
    // One pass admits a new endpoint (Envoy's first_check_), whatever healthy_threshold says.
    expect(flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:healthy', '10.0.0.3:/failed_active_hc/pending_active_hc'])
    expect(new Set(picks(4))).toEqual(new Set(['10.0.0.1', '10.0.0.2']))
    await answer('10.0.0.3:80', 503)
    expect(flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:healthy', '10.0.0.3:/failed_active_hc'])
    expect([stat('membership_total'), stat('membership_healthy'), stat('membership_excluded')]).toEqual([3, 2, 0])
    // 2 of 3 ready: no panic, and 10.0.0.3 now counts, so losing 10.0.0.2 would be panic.
    expect(new Set(picks(4))).toEqual(new Set(['10.0.0.1', '10.0.0.2']))
    expect(stat('lb_healthy_panic')).toBe(0)
  })

  test('a first check that times out ends the exclusion too (Envoy handles a timeout as a failure)', async () => {
    const { cluster, clock, flags } = await warmed()
    cluster.setMembers(at(1, 2))
    await clock.advance(healthCheck.timeoutMs)
    expect(flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:/failed_active_hc'])
  })

  test("in panic for another reason, Envoy's AllHosts includes the excluded endpoints: so do the picks here", async () => {
    const { cluster, stat, picks, answer, clock } = await warmed()
    cluster.setMembers(at(1, 2))
    // 10.0.0.1 fails its next round (unhealthy_threshold 1): 0 ready of 2 - 1 excluded.
    await clock.advance(healthCheck.intervalMs)
    await answer('10.0.0.1:80', 503)
    expect(new Set(picks(4))).toEqual(new Set(['10.0.0.1', '10.0.0.2']))
    expect(stat('lb_healthy_panic')).toBe(4)
  })

  test('/clusters JSON shows pending_active_hc beside failed_active_health_check', async () => {
    const { cluster } = await warmed()
    cluster.setMembers(at(1, 2))
    const hosts = (clustersJson([cluster.snapshot()]) as { cluster_statuses: { host_statuses: { health_status: unknown }[] }[] }).cluster_statuses[0]!.host_statuses
    expect(hosts.map((h) => h.health_status)).toEqual([{ eds_health_status: 'HEALTHY' }, { eds_health_status: 'HEALTHY', failed_active_health_check: true, pending_active_hc: true }])
  })

  test('no effect without active health checks, nor on a static cluster (Envoy marks only DNS-added hosts)', async () => {
    const unchecked = setup({ healthCheck: undefined })
    unchecked.cluster.setMembers(at(1, 2))
    expect(unchecked.flags()).toEqual(['10.0.0.1:healthy', '10.0.0.2:healthy'])
    const fixed = setup({ type: 'static' })
    fixed.cluster.setMembers(at(1, 2))
    expect(fixed.flags()).toEqual(['10.0.0.1:/failed_active_hc', '10.0.0.2:/failed_active_hc'])
    expect(fixed.stat('membership_excluded')).toBe(0)
  })

  test('a reload that drops the flag leaves a still unchecked endpoint failed_active_hc only', async () => {
    const { cluster, clock } = await warmed()
    cluster.setMembers(at(1, 2))
    const stats = new StatsStore()
    const next = new Cluster(clusterConfig({ type: 'strict_dns', healthCheck, ignoreNewHostsUntilFirstHc: false }), { stats: stats.cluster('service1'), clock, probe: heldProbe().probe })
    next.adoptEndpoints(cluster)
    expect(next.snapshot().endpoints.map((e) => e.healthFlags)).toEqual(['healthy', '/failed_active_hc'])
    expect(stats.get('cluster.service1.membership_excluded').value).toBe(0)
  })
})
