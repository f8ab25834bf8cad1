import { expect, test } from 'bun:test'
import { createLoadBalancer } from './create-load-balancer.ts'
import { endpoints, runLoadBalancerContract, seededRandom } from './load-balancer.contract.ts'
import { RandomLoadBalancer } from './random.ts'

runLoadBalancerContract((panic) => new RandomLoadBalancer(seededRandom(7), panic))

test('random: the pick follows the random source, per call when ctx.random is given', () => {
  const list = endpoints(4)
  const lb = createLoadBalancer('random', () => 0)
  expect(lb.policy).toBe('random')
  expect(lb.pick(list, { nowMs: 0 })).toBe(list[0])
  expect(lb.pick(list, { nowMs: 0, random: () => 0.99 })).toBe(list[3])
  // A source returning exactly 1 must not fall off the end.
  expect(lb.pick(list, { nowMs: 0, random: () => 1 })).toBe(list[3])
})
