import { expect, test } from 'bun:test'
import { endpoints, runLoadBalancerContract } from './load-balancer.contract.ts'
import { RoundRobinLoadBalancer } from './round-robin.ts'

runLoadBalancerContract(() => new RoundRobinLoadBalancer())

test('round robin: exact rotation, an even spread', () => {
  const list = endpoints(3)
  const lb = new RoundRobinLoadBalancer()
  const picked = Array.from({ length: 6 }, () => lb.pick(list, { nowMs: 0 }))
  expect(picked).toEqual([list[0], list[1], list[2], list[0], list[1], list[2]])
})

test('round robin: skips an unready endpoint without breaking the rotation of the others', () => {
  const list = endpoints(3)
  list[1]!.failedActiveHc = true
  const lb = new RoundRobinLoadBalancer()
  const picked = Array.from({ length: 4 }, () => lb.pick(list, { nowMs: 0 }))
  expect(picked).toEqual([list[0], list[2], list[0], list[2]])
})
