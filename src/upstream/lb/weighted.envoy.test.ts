// Weighted ROUND_ROBIN, LEAST_REQUEST and RANDOM against Envoy's own expectations, ported from
// test/extensions/load_balancing_policies/{round_robin,least_request}/*_test.cc (Envoy's mocked
// random() returns 0 there: no pre-picks), plus the exact shares an EDF schedule gives.

import { describe, expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import { LeastRequestLoadBalancer } from './least-request.ts'
import { countingPanic, seededRandom } from './load-balancer.contract.ts'
import { RandomLoadBalancer } from './random.ts'
import { RoundRobinLoadBalancer } from './round-robin.ts'

const weighted = (...weights: number[]) => weights.map((w, i) => new Endpoint('127.0.0.1', 80 + i, '', w))
const picks = (pick: () => Endpoint | undefined, n: number) => Array.from({ length: n }, () => pick()!.port - 80)
const shares = (pick: () => Endpoint | undefined, n: number, size: number) => {
  const counts = new Array<number>(size).fill(0)
  for (let i = 0; i < n; i++) counts[pick()!.port - 80]!++
  return counts
}

describe('weighted round robin (Envoy EDF)', () => {
  test('RoundRobinLoadBalancerTest.Weighted: weights 1 and 2 give 1,0,1,1,0,1', () => {
    const list = weighted(1, 2)
    const lb = new RoundRobinLoadBalancer(() => 0)
    expect(picks(() => lb.pick(list, { nowMs: 0 }), 6)).toEqual([1, 0, 1, 1, 0, 1])
  })

  test('exact shares: 3:1 over 4,000 picks is 3,000 and 1,000; 5:3:2 over 1,000 is 500, 300, 200', () => {
    const a = weighted(3, 1)
    const lb = new RoundRobinLoadBalancer(seededRandom(5))
    expect(shares(() => lb.pick(a, { nowMs: 0 }), 4000, 2)).toEqual([3000, 1000])
    const b = weighted(5, 3, 2)
    const lb2 = new RoundRobinLoadBalancer(seededRandom(9))
    expect(shares(() => lb2.pick(b, { nowMs: 0 }), 1000, 3)).toEqual([500, 300, 200])
  })

  test('a random start (Envoy seeds its schedule): any window of 4 picks of a 3:1 pair holds 3 and 1', () => {
    for (let seed = 1; seed < 20; seed++) {
      const list = weighted(3, 1)
      const lb = new RoundRobinLoadBalancer(seededRandom(seed))
      const window = picks(() => lb.pick(list, { nowMs: 0 }), 4)
      expect(window.filter((p) => p === 0).length).toBe(3)
    }
  })

  test('an unready endpoint leaves the schedule; the others keep their proportions', () => {
    const list = weighted(3, 1, 2)
    list[0]!.failedActiveHc = true
    const lb = new RoundRobinLoadBalancer(seededRandom(2))
    expect(shares(() => lb.pick(list, { nowMs: 0 }), 300, 3)).toEqual([0, 100, 200])
  })

  test('ready endpoints of equal weight: the plain rotation, as Envoy skips the scheduler', () => {
    const list = weighted(5, 1, 1)
    list[0]!.failedActiveHc = true
    // Seed 0: the rotation starts at the first ready endpoint.
    const lb = new RoundRobinLoadBalancer(() => 0)
    expect(picks(() => lb.pick(list, { nowMs: 0 }), 4)).toEqual([1, 2, 1, 2])
  })

  test('a retry passes over the excluded endpoint, however heavy', () => {
    const list = weighted(100, 1)
    const lb = new RoundRobinLoadBalancer(seededRandom(3))
    for (let i = 0; i < 20; i++) expect(lb.pick(list, { nowMs: 0, exclude: new Set([list[0]!]) })).toBe(list[1]!)
    expect(lb.pick(list, { nowMs: 0, exclude: new Set(list) })).toBeDefined()
  })

  test('a weight change with a new member list rebuilds the schedule', () => {
    const list = weighted(3, 1)
    const lb = new RoundRobinLoadBalancer(seededRandom(4))
    shares(() => lb.pick(list, { nowMs: 0 }), 7, 2)
    list[1]!.weight = 3
    list[0]!.weight = 1
    const next = [...list]
    expect(shares(() => lb.pick(next, { nowMs: 0 }), 400, 2)).toEqual([100, 300])
  })
})

describe('weighted least request (Envoy EDF over weight / (active + 1))', () => {
  test('LeastRequestLoadBalancerTest.WeightImbalance: 2:1, then 1:1 with one request on the heavy one, then 4:1', () => {
    const list = weighted(1, 2)
    const lb = new LeastRequestLoadBalancer(() => 0)
    const pick = () => lb.pick(list, { nowMs: 0 })
    expect(picks(pick, 6)).toEqual([1, 0, 1, 1, 0, 1])
    list[1]!.activeRequests = 1
    expect(picks(pick, 5)).toEqual([1, 0, 1, 0, 1])
    list[0]!.activeRequests = 1
    list[1]!.activeRequests = 0
    expect(picks(pick, 10)).toEqual([0, 1, 1, 1, 0, 1, 1, 1, 1, 0])
  })

  test('WeightImbalanceWithCustomActiveRequestBias: bias 0 ignores requests in flight', () => {
    const list = weighted(1, 2)
    list[1]!.activeRequests = 1
    const lb = new LeastRequestLoadBalancer(() => 0, 0)
    expect(picks(() => lb.pick(list, { nowMs: 0 }), 6)).toEqual([1, 0, 1, 1, 0, 1])
  })

  test('idle endpoints: the weights exactly (3:1 over 4,000 picks)', () => {
    const list = weighted(3, 1)
    const lb = new LeastRequestLoadBalancer(seededRandom(8))
    expect(shares(() => lb.pick(list, { nowMs: 0 }), 4000, 2)).toEqual([3000, 1000])
  })

  test('an active_request_bias set in the config schedules equal weights too (Envoy: bias forces weighted selection)', () => {
    const list = weighted(1, 1)
    list[1]!.activeRequests = 1
    const lb = new LeastRequestLoadBalancer(() => 0, 1)
    expect(picks(() => lb.pick(list, { nowMs: 0 }), 6)).toEqual([0, 1, 0, 0, 1, 0])
    const lb2 = new LeastRequestLoadBalancer(seededRandom(4), 2)
    list[1]!.activeRequests = 2
    // weight 1 / 3^2 against 1 / 1: 9 picks of the idle one for each of the busy one.
    expect(shares(() => lb2.pick(list, { nowMs: 0 }), 1000, 2)).toEqual([900, 100])
  })

  test('equal weights keep the two random choices', () => {
    const list = weighted(2, 2, 2)
    list[0]!.activeRequests = 10
    const lb = new LeastRequestLoadBalancer(seededRandom(3))
    expect(shares(() => lb.pick(list, { nowMs: 0 }), 3000, 3)[0]).toBe(0)
  })
})

describe('random', () => {
  test('ignores weights, as Envoy\'s RandomLoadBalancer (hosts[random % size])', () => {
    const list = weighted(9, 1)
    const lb = new RandomLoadBalancer(seededRandom(6))
    const [heavy, light] = shares(() => lb.pick(list, { nowMs: 0 }), 10_000, 2)
    expect(Math.abs(heavy! - light!)).toBeLessThan(400)
  })
})

describe('weighted balancing in panic', () => {
  test('every endpoint unhealthy: the EDF schedule runs over all of them, 3:1 kept, one lb_healthy_panic a pick (round robin and least request)', () => {
    for (const make of [(p: ReturnType<typeof countingPanic>) => new RoundRobinLoadBalancer(seededRandom(3), p), (p: ReturnType<typeof countingPanic>) => new LeastRequestLoadBalancer(seededRandom(3), 0, p)]) {
      const list = weighted(3, 1)
      for (const e of list) e.failedActiveHc = true
      const panic = countingPanic(50)
      const lb = make(panic)
      expect(shares(() => lb.pick(list, { nowMs: 0 }), 400, 2)).toEqual([300, 100])
      expect(panic.count).toBe(400)
    }
  })
})
