import { expect, test } from 'bun:test'
import { runConsistentHashContract } from './consistent-hash.contract.ts'
import { createLoadBalancer } from './create-load-balancer.ts'
import { endpoints, runLoadBalancerContract, seededRandom } from './load-balancer.contract.ts'
import { RingHashLoadBalancer } from './ring-hash.ts'

runLoadBalancerContract(() => new RingHashLoadBalancer(seededRandom(11)))
runConsistentHashContract(() => new RingHashLoadBalancer(seededRandom(11)))

test('ring_hash from the cluster config, with its minimum ring size', () => {
  const lb = createLoadBalancer({ lbPolicy: 'ring_hash', ringHashMinimumRingSize: 16 }, seededRandom(1))
  expect(lb.policy).toBe('ring_hash')
  expect(lb.pick(endpoints(3), { nowMs: 0, hash: 42n })).toBeDefined()
})
