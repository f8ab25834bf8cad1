import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig } from '../config/model.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { ClusterManager } from './cluster-manager.ts'
import type { Resolver } from './resolver.ts'

/** A resolver answering from a mutable table; `failing` names reject like a DNS timeout. */
class FakeResolver implements Resolver {
  readonly records = new Map<string, string[]>()
  readonly failing = new Set<string>()
  queries = 0
  async resolve(hostname: string): Promise<string[]> {
    this.queries++
    if (this.failing.has(hostname)) throw Object.assign(new Error(`queryA ETIMEOUT ${hostname}`), { code: 'ETIMEOUT' })
    return [...(this.records.get(hostname) ?? [])]
  }
}

function setup(configs: ClusterConfig[]) {
  const resolver = new FakeResolver()
  const stats = new StatsStore()
  const clock = new ManualClock()
  const servers: (readonly string[])[] = []
  const lines: string[] = []
  const manager = new ClusterManager(configs, {
    resolverFor: (c) => (servers.push(c.dnsResolvers), resolver),
    stats,
    clock,
    log: (line) => lines.push(line),
  })
  const stat = (name: string) => stats.get(`cluster.${configs[0]!.name}.${name}`).value
  const addresses = (name = configs[0]!.name) => manager.get(name)!.endpoints().map((e) => e.key)
  return { resolver, stats, clock, manager, servers, lines, stat, addresses }
}

const strictDns = (overrides: Partial<ClusterConfig> = {}) =>
  clusterConfig({ type: 'strict_dns', endpoints: [{ address: 'service1', port: 8000 }], dnsRefreshRateMs: 5_000, dnsResolvers: ['127.0.0.1:5353'], ...overrides })

describe('static clusters', () => {
  test('members are the listed endpoints, from construction, with no resolver', () => {
    const { manager, servers, stat, addresses } = setup([
      clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 8080 }, { address: '127.0.0.2', port: 8080 }] }),
    ])
    expect(servers).toEqual([])
    expect(addresses()).toEqual(['127.0.0.1:8080', '127.0.0.2:8080'])
    expect(stat('membership_total')).toBe(2)
    expect(stat('membership_healthy')).toBe(2)
    expect(manager.get('nope')).toBeUndefined()
    expect(manager.snapshot().map((c) => c.name)).toEqual(['service1'])
  })
})

describe('strict_dns clusters', () => {
  test('start() waits for the first resolution; every A record is an endpoint with the configured port', async () => {
    const { resolver, manager, servers, stat, addresses } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    expect(addresses()).toEqual([])
    await manager.start()
    expect(servers).toEqual([['127.0.0.1:5353']])
    expect(addresses()).toEqual(['10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000'])
    expect([stat('update_attempt'), stat('update_success'), stat('membership_change')]).toEqual([1, 1, 1])
    expect([stat('membership_total'), stat('membership_healthy')]).toEqual([3, 3])
    manager.stop()
  })

  test('re-resolves every dnsRefreshRateMs; surviving endpoints keep their objects and counters', async () => {
    const { resolver, clock, manager, stat, addresses } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1', '10.0.0.2'])
    await manager.start()
    const kept = manager.get('service1')!.endpoints()[1]!
    kept.activeRequests = 4
    kept.rqTotal = 9

    resolver.records.set('service1', ['10.0.0.3', '10.0.0.2', '10.0.0.1'])
    await clock.advance(4_999)
    expect(addresses()).toHaveLength(2)
    await clock.advance(1)
    expect(addresses()).toEqual(['10.0.0.1:8000', '10.0.0.2:8000', '10.0.0.3:8000'])
    expect(manager.get('service1')!.endpoints()[1]).toBe(kept)
    expect([kept.activeRequests, kept.rqTotal]).toEqual([4, 9])
    expect([stat('membership_change'), stat('membership_total')]).toEqual([2, 3])

    resolver.records.set('service1', ['10.0.0.2', '10.0.0.3'])
    await clock.advance(5_000)
    expect(addresses()).toEqual(['10.0.0.2:8000', '10.0.0.3:8000'])
    expect([stat('membership_change'), stat('membership_total'), stat('update_success')]).toEqual([3, 2, 3])

    // An unchanged answer is an update, not a membership change.
    await clock.advance(5_000)
    expect([stat('membership_change'), stat('update_attempt')]).toEqual([3, 4])
    manager.stop()
  })

  test('a failed lookup keeps the last good endpoints and counts update_failure', async () => {
    const { resolver, clock, manager, stat, addresses, lines } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1', '10.0.0.2'])
    await manager.start()
    resolver.failing.add('service1')
    await clock.advance(10_000)
    expect(addresses()).toEqual(['10.0.0.1:8000', '10.0.0.2:8000'])
    expect([stat('update_attempt'), stat('update_success'), stat('update_failure')]).toEqual([3, 1, 2])
    expect(lines.some((l) => l.includes('resolving service1 failed') && l.includes('keeping 2'))).toBe(true)

    resolver.failing.delete('service1')
    resolver.records.set('service1', ['10.0.0.9'])
    await clock.advance(5_000)
    expect(addresses()).toEqual(['10.0.0.9:8000'])
    manager.stop()
  })

  test('a first lookup that fails leaves the cluster empty and start() still resolves', async () => {
    const { resolver, clock, manager, stat, addresses } = setup([strictDns()])
    resolver.failing.add('service1')
    await manager.start()
    expect(addresses()).toEqual([])
    expect(stat('update_failure')).toBe(1)
    expect(manager.get('service1')!.pick()).toBeUndefined()
    resolver.failing.clear()
    resolver.records.set('service1', ['10.0.0.1'])
    await clock.advance(5_000)
    expect(addresses()).toEqual(['10.0.0.1:8000'])
    manager.stop()
  })

  test('an empty answer (NXDOMAIN/NODATA) empties the cluster and counts update_empty', async () => {
    const { resolver, clock, manager, stat, addresses } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1'])
    await manager.start()
    resolver.records.delete('service1')
    await clock.advance(5_000)
    expect(addresses()).toEqual([])
    expect([stat('update_success'), stat('update_empty'), stat('update_failure')]).toEqual([2, 1, 0])
    expect([stat('membership_total'), stat('membership_healthy'), stat('membership_change')]).toEqual([0, 0, 2])
    manager.stop()
  })

  test('each listed name keeps its own last good answer', async () => {
    const { resolver, clock, manager, addresses, stat } = setup([
      strictDns({ endpoints: [{ address: 'a', port: 80 }, { address: 'b', port: 81 }] }),
    ])
    resolver.records.set('a', ['10.0.0.1'])
    resolver.records.set('b', ['10.0.0.2'])
    await manager.start()
    resolver.failing.add('a')
    resolver.records.set('b', ['10.0.0.3'])
    await clock.advance(5_000)
    expect(addresses()).toEqual(['10.0.0.1:80', '10.0.0.3:81'])
    expect([stat('update_attempt'), stat('update_failure')]).toEqual([4, 1])
    manager.stop()
  })

  test('stop() clears every timer', async () => {
    const { resolver, clock, manager, addresses } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1'])
    await manager.start()
    expect(clock.pending()).toBe(1)
    manager.stop()
    expect(clock.pending()).toBe(0)
    const queries = resolver.queries
    await clock.advance(60_000)
    expect(resolver.queries).toBe(queries)
    expect(addresses()).toEqual(['10.0.0.1:8000'])
  })
})

test('a lookup still out when stop() ran changes nothing and schedules nothing', async () => {
  const { resolver, clock, manager, addresses } = setup([strictDns()])
  resolver.records.set('service1', ['10.0.0.1'])
  await manager.start()
  let answer: (ips: string[]) => void = () => {}
  resolver.resolve = () => new Promise((resolve) => (answer = resolve))
  await clock.advance(5_000)
  manager.stop()
  answer(['10.0.0.7'])
  await clock.advance(0)
  expect(addresses()).toEqual(['10.0.0.1:8000'])
  expect(clock.pending()).toBe(0)
})

describe('logical_dns clusters', () => {
  test('only the first address of the answer is used', async () => {
    const { resolver, clock, manager, addresses } = setup([strictDns({ type: 'logical_dns' })])
    resolver.records.set('service1', ['10.0.0.1', '10.0.0.2'])
    await manager.start()
    expect(addresses()).toEqual(['10.0.0.1:8000'])
    resolver.records.set('service1', ['10.0.0.2', '10.0.0.1'])
    await clock.advance(5_000)
    expect(addresses()).toEqual(['10.0.0.2:8000'])
    manager.stop()
  })
})

describe('health checks at start', () => {
  test('start() also waits for the first round of health checks', async () => {
    const stats = new StatsStore()
    const clock = new ManualClock()
    const manager = new ClusterManager(
      [
        clusterConfig({
          endpoints: [{ address: '127.0.0.1', port: 8080 }],
          healthCheck: { path: '/healthz', intervalMs: 1_000, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2, expectedStatuses: [[200, 300]] },
        }),
      ],
      { resolverFor: () => new FakeResolver(), stats, clock, probe: async () => 200 },
    )
    expect(manager.get('service1')!.pick()).toBeUndefined()
    await manager.start()
    expect(manager.get('service1')!.pick()?.key).toBe('127.0.0.1:8080')
    manager.stop()
    expect(clock.pending()).toBe(0)
  })
})

describe('warming (listeners wait on warm)', () => {
  test('a failing first lookup is retried every 250 ms; warm resolves at the first answer, not at the failure', async () => {
    const { resolver, clock, manager, addresses } = setup([strictDns()])
    resolver.failing.add('service1')
    void manager.start()
    let cold: string[] | undefined
    void manager.warm(['service1']).then((names) => (cold = names))
    await clock.advance(1_000)
    expect(cold).toBeUndefined()
    expect(resolver.queries).toBe(5) // at 0, 250, 500, 750, 1000 ms: not once per 5 s refresh
    resolver.failing.delete('service1')
    resolver.records.set('service1', ['10.0.0.1'])
    await clock.advance(250)
    expect(cold).toEqual([])
    expect(addresses()).toEqual(['10.0.0.1:8000'])
    await clock.advance(1_000)
    expect(resolver.queries).toBe(6) // warm: back to the refresh period
    manager.stop()
  })

  test('past initialFetchTimeoutMs warm gives up on the cluster, names it and counts init_fetch_timeout', async () => {
    const { resolver, clock, manager, stat } = setup([strictDns({ initialFetchTimeoutMs: 2_000 })])
    resolver.failing.add('service1')
    void manager.start()
    let cold: string[] | undefined
    void manager.warm(['service1', 'unknown']).then((names) => (cold = names))
    await clock.advance(1_999)
    expect(cold).toBeUndefined()
    await clock.advance(1)
    expect(cold).toEqual(['service1'])
    expect(stat('init_fetch_timeout')).toBe(1)
    manager.stop()
  })

  test('a static cluster with health checks is warm once every endpoint had its first probe', async () => {
    const probed: string[] = []
    const stats = new StatsStore()
    const clock = new ManualClock()
    let answer!: (status: number) => void
    const manager = new ClusterManager(
      [clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 8080 }], healthCheck: { path: '/healthz', intervalMs: 5_000, timeoutMs: 1_000, healthyThreshold: 1, unhealthyThreshold: 2, expectedStatuses: [[200, 300]] } })],
      { resolverFor: () => new FakeResolver(), stats, clock, probe: (e) => (probed.push(e.key), new Promise((resolve) => (answer = resolve))) },
    )
    void manager.start()
    let cold: string[] | undefined
    void manager.warm(['service1']).then((names) => (cold = names))
    await clock.advance(10)
    expect(probed).toEqual(['127.0.0.1:8080'])
    expect(cold).toBeUndefined()
    answer(200)
    await clock.advance(0)
    expect(cold).toEqual([])
    expect(manager.get('service1')!.endpoints()[0]!.isReady(clock.now())).toBe(true)
    manager.stop()
  })
})

describe('update (a reloaded cluster list)', () => {
  test('unchanged clusters keep their object; changed ones take over the listed endpoints with their state; removed ones go', async () => {
    const kept = clusterConfig({ name: 'kept', endpoints: [{ address: '10.0.0.1', port: 80 }] })
    const changed = clusterConfig({ name: 'changed', endpoints: [{ address: '10.0.1.1', port: 80 }, { address: '10.0.1.2', port: 80 }] })
    const gone = clusterConfig({ name: 'gone', endpoints: [{ address: '10.0.2.1', port: 80 }] })
    const { manager } = setup([kept, changed, gone])
    await manager.start()
    const keptCluster = manager.get('kept')!
    const survivor = manager.get('changed')!.endpoints()[1]!
    survivor.rqTotal = 7
    survivor.ejectedUntilMs = Number.MAX_SAFE_INTEGER
    const changes = manager.update([kept, { ...changed, lbPolicy: 'random', endpoints: [{ address: '10.0.1.2', port: 80 }, { address: '10.0.1.3', port: 80 }] }, clusterConfig({ name: 'new' })])
    expect(changes).toEqual({ added: ['new'], modified: ['changed'], removed: ['gone'] })
    expect(manager.get('kept')).toBe(keptCluster)
    const after = manager.get('changed')!
    expect(after.config.lbPolicy).toBe('random')
    expect(after.endpoints().map((e) => e.key)).toEqual(['10.0.1.2:80', '10.0.1.3:80'])
    expect(after.endpoints()[0]).toBe(survivor) // same object: counters, ejection, requests in flight
    expect(after.endpoints()[0]!.rqTotal).toBe(7)
    expect(manager.get('gone')).toBeUndefined()
    manager.stop()
  })

  test('a changed DNS cluster keeps the old endpoints until its own first answer', async () => {
    const { resolver, clock, manager, addresses } = setup([strictDns()])
    resolver.records.set('service1', ['10.0.0.1', '10.0.0.2'])
    await manager.start()
    resolver.records.set('service1', ['10.0.0.2', '10.0.0.3'])
    let answer!: () => void
    const gate = new Promise<void>((resolve) => (answer = resolve))
    const original = resolver.resolve.bind(resolver)
    resolver.resolve = async (name) => (await gate, original(name))
    manager.update([strictDns({ dnsRefreshRateMs: 1_000 })])
    expect(addresses()).toEqual(['10.0.0.1:8000', '10.0.0.2:8000'])
    answer()
    await clock.advance(0)
    expect(addresses()).toEqual(['10.0.0.2:8000', '10.0.0.3:8000'])
    manager.stop()
  })
})
