// Envoy's own expectations for MAGLEV, ported from
// test/extensions/load_balancing_policies/maglev/maglev_lb_test.cc: the same hosts and table
// size give the same table, entry for entry, so a hash reaches the same host as under Envoy.

import { expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import { countingPanic, seededRandom } from './load-balancer.contract.ts'
import { buildMaglevTable, DEFAULT_MAGLEV_TABLE_SIZE, MaglevLoadBalancer } from './maglev.ts'
import { loadXxHash64 } from './xxhash64.ts'

// xxHash64 loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests hash directly.
await loadXxHash64()

const hosts = (hostnames: boolean) => [90, 91, 92, 93, 94, 95].map((p) => new Endpoint('127.0.0.1', p, hostnames ? String(p) : ''))

function expectTable(list: Endpoint[], lb: MaglevLoadBalancer, expected: number[]): void {
  for (let i = 0; i < 3 * expected.length; i++) expect(lb.pick(list, { nowMs: 0, hash: BigInt(i) })).toBe(list[expected[i % expected.length]!]!)
}

test('MaglevLoadBalancerTest.Basic: six hosts, table size 7', () => {
  const list = hosts(false)
  expectTable(list, new MaglevLoadBalancer(seededRandom(1), 7), [2, 4, 0, 1, 5, 0, 3])
})

test('MaglevLoadBalancerTest.BasicWithHostName: use_hostname_for_hashing', () => {
  const list = hosts(true)
  expectTable(list, new MaglevLoadBalancer(seededRandom(1), { tableSize: 7, useHostnameForHashing: true }), [2, 5, 0, 3, 4, 1, 0])
})

test('MaglevLoadBalancerTest.SingleHost: every hash goes to the one host', () => {
  const list = [new Endpoint('127.0.0.1', 90)]
  const lb = new MaglevLoadBalancer(seededRandom(1), 7)
  for (let i = 0n; i < 5n; i++) expect(lb.pick(list, { nowMs: 0, hash: i })).toBe(list[0]!)
})

test('MaglevLoadBalancerTest.Weighted: weights 1 and 2, table size 17, 6 and 11 entries', () => {
  const list = [new Endpoint('127.0.0.1', 90, '', 1), new Endpoint('127.0.0.1', 91, '', 2)]
  const lb = new MaglevLoadBalancer(seededRandom(1), 17)
  expectTable(list, lb, [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1])
})

test('LocalityWeightedLopsided, as host weights: 1023 light endpoints get one entry each, the heavy one the rest', () => {
  // Envoy's locality weights 127:1 over 1 and 1023 hosts are the host weights 127 × 1023 and 1.
  const list = Array.from({ length: 1024 }, (_, i) => new Endpoint('127.0.0.1', i, '', i === 0 ? 127 * 1023 : 1))
  const table = buildMaglevTable(list, DEFAULT_MAGLEV_TABLE_SIZE, false)
  const counts = new Map<number, number>()
  for (const e of table) counts.set(e.port, (counts.get(e.port) ?? 0) + 1)
  for (let port = 1; port < 1024; port++) expect(counts.get(port)).toBe(1)
  expect(counts.get(0)).toBe(DEFAULT_MAGLEV_TABLE_SIZE - 1023)
})

test('the order the endpoints arrive in does not change the table (Envoy sorts by hash key)', () => {
  const list = hosts(false)
  expectTable([...list].reverse(), new MaglevLoadBalancer(seededRandom(1), 7), [3, 1, 5, 4, 0, 5, 2])
})

test("MaglevLoadBalancerTest's panic: every host unhealthy, the table is built over all of them (the same table) and each pick counts lb_healthy_panic", () => {
  const list = hosts(false)
  for (const e of list) e.failedActiveHc = true
  const panic = countingPanic(50)
  expectTable(list, new MaglevLoadBalancer(seededRandom(1), 7, panic), [2, 4, 0, 1, 5, 0, 3])
  expect(panic.count).toBe(21)
})
