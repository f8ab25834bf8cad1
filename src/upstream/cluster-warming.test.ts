// Warming and reload diffs of the ClusterManager, on the manual clock.

import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { clusterConfig } from './cluster-config.fixture.ts'
import { ClusterManager } from './cluster-manager.ts'
import { FakeResolver, setup, strictDns } from './cluster-manager.fixture.ts'

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
