import { expect, test } from 'bun:test'
import { runConsistentHashContract } from './consistent-hash.contract.ts'
import { createLoadBalancer } from './create-load-balancer.ts'
import { endpoints, runLoadBalancerContract, seededRandom } from './load-balancer.contract.ts'
import { MaglevLoadBalancer } from './maglev.ts'
import { loadXxHash64 } from './xxhash64.ts'

// xxHash64 loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests hash directly.
await loadXxHash64()

runLoadBalancerContract((panic) => new MaglevLoadBalancer(seededRandom(13), {}, panic))
runConsistentHashContract(() => new MaglevLoadBalancer(seededRandom(13)))

test('maglev: every endpoint owns an equal share of the table (within one entry)', () => {
  const list = endpoints(7)
  const lb = new MaglevLoadBalancer(seededRandom(1), 65537)
  const counts = new Map<string, number>()
  for (let slot = 0; slot < 65537; slot++) {
    const key = lb.pick(list, { nowMs: 0, hash: BigInt(slot) })!.key
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const shares = [...counts.values()]
  expect(shares.length).toBe(7)
  expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1)
})

test('maglev from the cluster config, with its table size', () => {
  const lb = createLoadBalancer({ lbPolicy: 'maglev', maglevTableSize: 251 }, seededRandom(1))
  expect(lb.policy).toBe('maglev')
  expect(lb.pick(endpoints(3), { nowMs: 0, hash: 7n })).toBeDefined()
})
