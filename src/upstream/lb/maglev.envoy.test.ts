// Envoy's own expectations for MAGLEV, ported from
// test/extensions/load_balancing_policies/maglev/maglev_lb_test.cc: the same hosts and table
// size give the same table, entry for entry, so a hash reaches the same host as under Envoy.

import { expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import { seededRandom } from './load-balancer.contract.ts'
import { MaglevLoadBalancer } from './maglev.ts'
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

test('the order the endpoints arrive in does not change the table (Envoy sorts by hash key)', () => {
  const list = hosts(false)
  expectTable([...list].reverse(), new MaglevLoadBalancer(seededRandom(1), 7), [3, 1, 5, 4, 0, 5, 2])
})
