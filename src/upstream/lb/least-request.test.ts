import { expect, test } from 'bun:test'
import { createLoadBalancer } from './create-load-balancer.ts'
import { LeastRequestLoadBalancer } from './least-request.ts'
import { endpoints, runLoadBalancerContract, seededRandom } from './load-balancer.contract.ts'

runLoadBalancerContract((panic) => new LeastRequestLoadBalancer(seededRandom(11), undefined, panic))

test('least request: of the two choices, the one with fewer requests in flight wins', () => {
  const list = endpoints(3)
  list[0]!.activeRequests = 5
  list[2]!.activeRequests = 1
  // First draw → index 0, second draw (over the other two) → index 2.
  const draws = [0.1, 0.9]
  const lb = createLoadBalancer('least_request')
  expect(lb.policy).toBe('least_request')
  expect(lb.pick(list, { nowMs: 0, random: () => draws.shift() ?? 0 })).toBe(list[2])
})

test('least request: the two choices are always distinct endpoints', () => {
  const list = endpoints(2)
  list[0]!.activeRequests = 3
  const lb = new LeastRequestLoadBalancer(() => 0)
  // Both draws return 0; were they allowed to coincide, the busy endpoint would be picked.
  expect(lb.pick(list, { nowMs: 0 })).toBe(list[1])
})

test('least request: a busy endpoint gets fewer picks than idle ones', () => {
  const list = endpoints(4)
  list[0]!.activeRequests = 10
  const lb = new LeastRequestLoadBalancer(seededRandom(3))
  let busy = 0
  for (let i = 0; i < 4_000; i++) if (lb.pick(list, { nowMs: 0 }) === list[0]) busy++
  // It loses every comparison and, the draws being distinct, is never compared with itself.
  expect(busy).toBe(0)
})
