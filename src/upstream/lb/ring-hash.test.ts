import { expect, test } from 'bun:test'
import { runConsistentHashContract } from './consistent-hash.contract.ts'
import { createLoadBalancer } from './create-load-balancer.ts'
import { endpoints, runLoadBalancerContract, seededRandom } from './load-balancer.contract.ts'
import { buildRing, RingHashLoadBalancer } from './ring-hash.ts'
import { loadXxHash64 } from './xxhash64.ts'

// xxHash64 loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests hash directly.
await loadXxHash64()

runLoadBalancerContract((panic) => new RingHashLoadBalancer(seededRandom(11), {}, panic))
runConsistentHashContract(() => new RingHashLoadBalancer(seededRandom(11)))

test('ring_hash from the cluster config, with its minimum ring size', () => {
  const lb = createLoadBalancer({ lbPolicy: 'ring_hash', ringHashMinimumRingSize: 16 }, seededRandom(1))
  expect(lb.policy).toBe('ring_hash')
  expect(lb.pick(endpoints(3), { nowMs: 0, hash: 42n })).toBeDefined()
})

test('the lookup on 32-bit halves finds the first point at or after the hash, wrapping, for any 64-bit hash', () => {
  const list = endpoints(7)
  const lb = new RingHashLoadBalancer(seededRandom(1), 64)
  const ring = buildRing(list, { minimumRingSize: 64, maximumRingSize: 8_388_608, hashFunction: 'xx_hash', useHostnameForHashing: false })
  const random = seededRandom(5)
  const word = () => BigInt(Math.floor(random() * 2 ** 32))
  const hashes = [0n, 1n, 0xffffffffffffffffn, ...ring.points, ...[...ring.points].map((p) => p + 1n), ...Array.from({ length: 500 }, () => (word() << 32n) | word())]
  for (const hash of hashes) {
    const index = ring.points.findIndex((p) => p >= hash)
    expect(lb.pick(list, { nowMs: 0, hash })).toBe(ring.owners[index === -1 ? 0 : index]!)
  }
})
