import { expect, test } from 'bun:test'
import { countingPanic, endpoints, runLoadBalancerContract } from './load-balancer.contract.ts'
import { RoundRobinLoadBalancer } from './round-robin.ts'

runLoadBalancerContract((panic) => new RoundRobinLoadBalancer(Math.random, panic))

// A random source of 0 gives Envoy's seed 0: the rotation starts at the first endpoint.
const SEED_0 = () => 0

test('round robin: exact rotation, an even spread', () => {
  const list = endpoints(3)
  const lb = new RoundRobinLoadBalancer(SEED_0)
  const picked = Array.from({ length: 6 }, () => lb.pick(list, { nowMs: 0 }))
  expect(picked).toEqual([list[0], list[1], list[2], list[0], list[1], list[2]])
})

test('round robin: skips an unready endpoint without breaking the rotation of the others', () => {
  const list = endpoints(3)
  list[1]!.failedActiveHc = true
  const lb = new RoundRobinLoadBalancer(SEED_0)
  const picked = Array.from({ length: 4 }, () => lb.pick(list, { nowMs: 0 }))
  expect(picked).toEqual([list[0], list[2], list[0], list[2]])
})

// Envoy's RoundRobinLoadBalancerTest.MaxUnhealthyPanic (load_balancer_impl_test.cc): 2 of 6 hosts
// healthy is panic, so the rotation runs over all six; 4 of 6 is not. Envoy keeps one rotation
// index per host source (all hosts, healthy hosts), edgeway one for both: after the three panic
// picks the healthy rotation goes on from 3, where Envoy's starts again from 0.
test('round robin: MaxUnhealthyPanic, rotating over every endpoint below 50 % ready and over the ready ones above', () => {
  const list = endpoints(6)
  for (const e of list.slice(2)) e.failedActiveHc = true
  const panic = countingPanic(50)
  const lb = new RoundRobinLoadBalancer(SEED_0, panic)
  expect([lb.pick(list, { nowMs: 0 }), lb.pick(list, { nowMs: 0 }), lb.pick(list, { nowMs: 0 })]).toEqual([list[0], list[1], list[2]])
  list[2]!.failedActiveHc = false
  list[3]!.failedActiveHc = false
  expect([lb.pick(list, { nowMs: 0 }), lb.pick(list, { nowMs: 0 })]).toEqual([list[3], list[0]])
  expect(panic.count).toBe(3)
})

test('round robin: threshold 0 turns panic off: 2 of 6 ready keeps the rotation on those two', () => {
  const list = endpoints(6)
  for (const e of list.slice(2)) e.failedActiveHc = true
  const panic = countingPanic(0)
  const lb = new RoundRobinLoadBalancer(SEED_0, panic)
  expect(Array.from({ length: 4 }, () => lb.pick(list, { nowMs: 0 }))).toEqual([list[0], list[1], list[0], list[1]])
  expect(panic.count).toBe(0)
})

// Envoy's RoundRobinLoadBalancer starts every rotation at seed_ (one random draw), not at 0.
test('round robin: the rotation starts at the seed drawn from the random source, modulo the endpoints', () => {
  const list = endpoints(3)
  // 0.15 draws the seed 644245094 (below 2^31, kept whole), and 644245094 % 3 = 2.
  const lb = new RoundRobinLoadBalancer(() => 0.15)
  expect(Array.from({ length: 4 }, () => lb.pick(list, { nowMs: 0 }))).toEqual([list[2], list[0], list[1], list[2]])
  // Balancers started together with different draws begin at different endpoints.
  const firsts = new Set([0, 0.45, 0.65].map((r) => new RoundRobinLoadBalancer(() => r).pick(list, { nowMs: 0 })))
  expect(firsts.size).toBe(3)
})
