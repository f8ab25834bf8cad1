// The contract every load balancer passes; each lb/*.test.ts runs it against its own policy
// (as Hono runs one router contract against every router).

import { describe, expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import type { LoadBalancer } from '../load-balancer.ts'

/** Deterministic PRNG (mulberry32) so spread assertions cannot flake. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function endpoints(count: number): Endpoint[] {
  return Array.from({ length: count }, (_, i) => new Endpoint(`127.0.0.${i + 11}`, 8080))
}

function tally(lb: LoadBalancer, list: readonly Endpoint[], picks: number, nowMs = 1_000): Map<Endpoint | undefined, number> {
  const counts = new Map<Endpoint | undefined, number>()
  for (let i = 0; i < picks; i++) {
    const picked = lb.pick(list, { nowMs })
    counts.set(picked, (counts.get(picked) ?? 0) + 1)
  }
  return counts
}

export function runLoadBalancerContract(make: () => LoadBalancer): void {
  describe(`load balancer contract: ${make().policy}`, () => {
    test('no endpoints: undefined', () => {
      expect(make().pick([], { nowMs: 0 })).toBeUndefined()
    })

    test('none ready (failed health check or ejected): undefined', () => {
      const list = endpoints(2)
      list[0]!.failedActiveHc = true
      list[1]!.ejectedUntilMs = 5_000
      const lb = make()
      for (let i = 0; i < 10; i++) expect(lb.pick(list, { nowMs: 1_000 })).toBeUndefined()
    })

    test('picks only ready endpoints, and every one of them', () => {
      const list = endpoints(5)
      list[1]!.failedActiveHc = true
      list[3]!.ejectedUntilMs = 5_000
      const counts = tally(make(), list, 300)
      expect([...counts.keys()].sort((a, b) => a!.key.localeCompare(b!.key))).toEqual([list[0], list[2], list[4]])
    })

    test('an expired ejection makes the endpoint ready again', () => {
      const list = endpoints(1)
      list[0]!.ejectedUntilMs = 5_000
      const lb = make()
      expect(lb.pick(list, { nowMs: 4_999 })).toBeUndefined()
      expect(lb.pick(list, { nowMs: 5_000 })).toBe(list[0])
    })

    test('honours exclude while another ready endpoint exists', () => {
      const list = endpoints(3)
      list[2]!.failedActiveHc = true
      const lb = make()
      for (let i = 0; i < 50; i++) expect(lb.pick(list, { nowMs: 0, exclude: new Set([list[0]!]) })).toBe(list[1])
    })

    test('exclude is best effort: with every ready endpoint excluded, an excluded one is picked', () => {
      const list = endpoints(3)
      list[2]!.failedActiveHc = true
      const picked = make().pick(list, { nowMs: 0, exclude: new Set(list) })
      expect(picked === list[0] || picked === list[1]).toBe(true)
    })

    test('spreads load over the ready endpoints', () => {
      const list = endpoints(4)
      const counts = tally(make(), list, 4_000)
      for (const endpoint of list) {
        const share = counts.get(endpoint) ?? 0
        expect(share).toBeGreaterThan(800)
        expect(share).toBeLessThan(1_200)
      }
    })
  })
}
