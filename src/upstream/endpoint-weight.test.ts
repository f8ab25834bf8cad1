// Endpoint weights through cluster membership: static and strict DNS (a name's weight goes to
// every address it resolves to), a reload that changes a weight, and /clusters' view of them.

import { describe, expect, test } from 'bun:test'
import { clusterConfig } from './cluster-config.fixture.ts'
import { setup, strictDns } from './cluster-manager.fixture.ts'

const weights = (manager: ReturnType<typeof setup>['manager']) => manager.get('service1')!.endpoints().map((e) => `${e.key}=${e.weight}`)

describe('endpoint weights in membership', () => {
  test('static: each endpoint has its configured weight (absent: 1), and the snapshot shows it', () => {
    const { manager } = setup([clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 80, weight: 3 }, { address: '127.0.0.2', port: 80 }] })])
    expect(weights(manager)).toEqual(['127.0.0.1:80=3', '127.0.0.2:80=1'])
    expect(manager.snapshot()[0]!.endpoints.map((e) => e.weight)).toEqual([3, 1])
  })

  test('strict DNS: every address of a name takes that name\'s weight', async () => {
    const { resolver, manager } = setup([strictDns({ endpoints: [{ address: 'heavy', port: 80, weight: 3 }, { address: 'light', port: 80 }] })])
    resolver.records.set('heavy', ['10.0.0.1', '10.0.0.2'])
    resolver.records.set('light', ['10.0.1.1'])
    await manager.start()
    expect(weights(manager)).toEqual(['10.0.0.1:80=3', '10.0.0.2:80=3', '10.0.1.1:80=1'])
    manager.stop()
  })

  test('a reload that changes only a weight keeps the endpoint (its counters) and gives it the new weight', async () => {
    const first = clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 80, weight: 3 }, { address: '127.0.0.2', port: 80 }] })
    const { manager } = setup([first])
    const kept = manager.get('service1')!.endpoints()[0]!
    kept.rqTotal = 7
    manager.update([clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 80, weight: 1 }, { address: '127.0.0.2', port: 80, weight: 2 }] })])
    const after = manager.get('service1')!.endpoints()
    expect(after[0]).toBe(kept)
    expect(kept.rqTotal).toBe(7)
    expect(weights(manager)).toEqual(['127.0.0.1:80=1', '127.0.0.2:80=2'])
  })

  test('a reloaded DNS cluster gives its kept endpoints the new weight before its first answer, and the next answer keeps it', async () => {
    const { resolver, manager } = setup([strictDns({ endpoints: [{ address: 'service1', port: 8000, weight: 2 }] })])
    resolver.records.set('service1', ['10.0.0.1'])
    await manager.start()
    manager.update([strictDns({ endpoints: [{ address: 'service1', port: 8000, weight: 5 }] })])
    expect(weights(manager)).toEqual(['10.0.0.1:8000=5'])
    manager.stop()
  })

  test('a weighted round robin cluster picks 3:1', () => {
    const { manager } = setup([clusterConfig({ endpoints: [{ address: '127.0.0.1', port: 80, weight: 3 }, { address: '127.0.0.2', port: 80 }] })])
    const cluster = manager.get('service1')!
    const counts = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const key = cluster.pick()!.key
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    expect(Object.fromEntries(counts)).toEqual({ '127.0.0.1:80': 300, '127.0.0.2:80': 100 })
  })
})
