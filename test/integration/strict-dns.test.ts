// Strict DNS against a real DNS server: dns2 on a loopback UDP port, the node:dns adapter and
// the cluster manager on the system clock with a 200 ms refresh.

import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { StatsStore } from '../../src/stats/stats-store.ts'
import { createResolver } from '../../src/adapter/dns.ts'
import type { ClusterConfig } from '../../src/config/model.ts'
import { systemClock } from '../../src/upstream/clock.ts'
import { ClusterManager } from '../../src/upstream/cluster-manager.ts'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'

const REFRESH_MS = 200

let dns: TestDnsServer
let manager: ClusterManager | undefined
let stats: StatsStore

beforeEach(async () => {
  dns = await startDnsServer({ records: { service1: ['127.0.0.11', '127.0.0.12', '127.0.0.13'] } })
  stats = new StatsStore()
})

afterEach(async () => {
  manager?.stop()
  manager = undefined
  await dns.stop()
})

function startCluster(type: ClusterConfig['type'] = 'strict_dns'): Promise<void> {
  const config: ClusterConfig = {
    name: 'service1',
    type,
    lbPolicy: 'round_robin',
    ringHashMinimumRingSize: 1024,
    ringHashMaximumRingSize: 8_388_608,
    ringHashFunction: 'xx_hash',
    useHostnameForHashing: false,
    maglevTableSize: 65537,
    healthyPanicThreshold: 50,
    ignoreNewHostsUntilFirstHc: false,
    connectTimeoutMs: 250,
    dnsRefreshRateMs: REFRESH_MS,
    initialFetchTimeoutMs: 5_000,
    dnsResolvers: [dns.server],
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [{ address: 'service1', port: 8000 }],
    healthCheck: undefined,
    outlierDetection: undefined,
    circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false },
  }
  manager = new ClusterManager([config], {
    resolverFor: (c) => createResolver(c.dnsResolvers, { timeoutMs: 150, tries: 1 }),
    stats,
    clock: systemClock,
    // Round robin's random start (Envoy's seed_) at 0: the rotation begins with the first address.
    random: () => 0,
  })
  return manager.start()
}

const addresses = () => manager!.get('service1')!.endpoints().map((e) => e.key)
const stat = (name: string) => stats.get(`cluster.service1.${name}`).value

/** Polls until `check` holds, for at most ten refresh periods. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + REFRESH_MS * 10
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; endpoints: ${addresses().join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('strict_dns with a real DNS server', () => {
  test('every A record is an endpoint; round robin spreads over all of them', async () => {
    await startCluster()
    expect(addresses()).toEqual(['127.0.0.11:8000', '127.0.0.12:8000', '127.0.0.13:8000'])
    const cluster = manager!.get('service1')!
    const picks = Array.from({ length: 6 }, () => cluster.pick()!.address)
    expect(picks).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.11', '127.0.0.12', '127.0.0.13'])
    expect([stat('membership_total'), stat('membership_healthy'), stat('update_success')]).toEqual([3, 3, 1])
    // Envoy's /clusters hostname: the name each address was resolved from.
    expect(cluster.snapshot().endpoints.map((e) => e.hostname)).toEqual(['service1', 'service1', 'service1'])
  })

  test('a scale-up is picked up on the next refresh despite a 300 s TTL; a scale-down drains', async () => {
    await startCluster()
    const survivor = manager!.get('service1')!.endpoints()[1]!
    dns.setRecords('service1', ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'])
    await eventually(() => addresses().length === 4, 'the fourth endpoint')
    expect(addresses()).toContain('127.0.0.14:8000')

    dns.setRecords('service1', ['127.0.0.12', '127.0.0.13', '127.0.0.14'])
    await eventually(() => addresses().length === 3, 'the removal')
    expect(addresses()).toEqual(['127.0.0.12:8000', '127.0.0.13:8000', '127.0.0.14:8000'])
    expect(manager!.get('service1')!.endpoints()[0]).toBe(survivor)
    for (let i = 0; i < 9; i++) expect(manager!.get('service1')!.pick()!.address).not.toBe('127.0.0.11')
    expect(stat('membership_change')).toBe(3)
  })

  test('SERVFAIL keeps the last good endpoints and counts update_failure', async () => {
    await startCluster()
    dns.setServfail('service1', true)
    await eventually(() => stat('update_failure') >= 2, 'two failed refreshes')
    expect(addresses()).toHaveLength(3)
    dns.setServfail('service1', false)
    dns.setRecords('service1', ['127.0.0.15'])
    await eventually(() => addresses().length === 1, 'recovery')
    expect(addresses()).toEqual(['127.0.0.15:8000'])
  })

  test('DNS server gone: the last good endpoints stay and update_failure is counted', async () => {
    await startCluster()
    const failures = stat('update_failure')
    await dns.stop()
    await eventually(() => stat('update_failure') >= failures + 2, 'failed refreshes')
    expect(addresses()).toEqual(['127.0.0.11:8000', '127.0.0.12:8000', '127.0.0.13:8000'])
    expect(manager!.get('service1')!.pick()).toBeDefined()
  })

  test('NXDOMAIN is an answer: the cluster empties (update_empty) and refills when the name returns', async () => {
    await startCluster()
    dns.deleteRecords('service1')
    await eventually(() => addresses().length === 0, 'the cluster to empty')
    expect(stat('update_empty')).toBeGreaterThanOrEqual(1)
    expect(stat('update_failure')).toBe(0)
    expect(manager!.get('service1')!.pick()).toBeUndefined()
    dns.setRecords('service1', ['127.0.0.11'])
    await eventually(() => addresses().length === 1, 'the name to return')
  })

  test('logical_dns uses the first address only', async () => {
    await startCluster('logical_dns')
    expect(addresses()).toEqual(['127.0.0.11:8000'])
  })
})

describe('createResolver (node:dns adapter)', () => {
  test('answers A records, [] for NXDOMAIN and NODATA, rejects on SERVFAIL', async () => {
    const resolver = createResolver([dns.server], { timeoutMs: 150, tries: 1 })
    expect(await resolver.resolve('service1')).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13'])
    expect(await resolver.resolve('nope')).toEqual([])
    dns.setRecords('nodata', [])
    expect(await resolver.resolve('nodata')).toEqual([])
    dns.setServfail('service1', true)
    await expect(resolver.resolve('service1')).rejects.toThrow()
  })

  test('IP literals and localhost are answered without a query', async () => {
    const resolver = createResolver([dns.server])
    expect(await resolver.resolve('127.0.0.1')).toEqual(['127.0.0.1'])
    expect(await resolver.resolve('LOCALHOST')).toEqual(['127.0.0.1'])
    expect(dns.queries('localhost') + dns.queries('127.0.0.1')).toBe(0)
  })
})
