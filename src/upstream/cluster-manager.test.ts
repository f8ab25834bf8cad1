import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { ClusterManager } from './cluster-manager.ts'
import { FakeResolver, setup, strictDns } from './cluster-manager.fixture.ts'

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
          // Without panic mode, so that the endpoint held out until its first check shows.
          healthyPanicThreshold: 0,
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

