// The contract every load balancer passes; each lb/*.test.ts runs it against its own policy
// (as Hono runs one router contract against every router).

import { describe, expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import type { LoadBalancer } from '../load-balancer.ts'
import type { HealthyPanic } from './healthy-panic.ts'

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

/** A panic setting that counts its panic picks. */
export function countingPanic(thresholdPercent: number): HealthyPanic & { count: number } {
  const panic = { thresholdPercent, count: 0, onPanic: () => void panic.count++ }
  return panic
}

/** `make(panic)`: the policy with that panic setting (Envoy's default 50 % when absent). */
export function runLoadBalancerContract(make: (panic?: HealthyPanic) => LoadBalancer): void {
  describe(`load balancer contract: ${make().policy}`, () => {
    test('no endpoints: undefined, with or without panic (an empty cluster is in panic, over nothing)', () => {
      expect(make().pick([], { nowMs: 0 })).toBeUndefined()
      const panic = countingPanic(50)
      expect(make(panic).pick([], { nowMs: 0 })).toBeUndefined()
      expect(panic.count).toBe(1)
      const off = countingPanic(0)
      expect(make(off).pick([], { nowMs: 0 })).toBeUndefined()
      expect(off.count).toBe(0)
    })

    test('none ready (failed health check or ejected), panic disabled (threshold 0): undefined', () => {
      const list = endpoints(2)
      list[0]!.failedActiveHc = true
      list[1]!.ejectedUntilMs = 5_000
      const lb = make(countingPanic(0))
      for (let i = 0; i < 10; i++) expect(lb.pick(list, { nowMs: 1_000 })).toBeUndefined()
    })

    test('none ready, default threshold: panic picks from every endpoint, each pick counted', () => {
      const list = endpoints(2)
      list[0]!.failedActiveHc = true
      list[1]!.ejectedUntilMs = 5_000
      const panic = countingPanic(50)
      const counts = tally(make(panic), list, 200)
      expect([...counts.keys()].sort((a, b) => a!.key.localeCompare(b!.key))).toEqual(list)
      expect(panic.count).toBe(200)
    })

    test('below the threshold every endpoint is used; at it, only the ready ones and no panic', () => {
      // Envoy's MaxUnhealthyPanic: 2 of 6 ready (33 % < 50 %) is panic; 3 of 6 (50 %) is not.
      const list = endpoints(6)
      for (const e of list.slice(2)) e.failedActiveHc = true
      const panic = countingPanic(50)
      const lb = make(panic)
      expect(tally(lb, list, 600).size).toBe(6)
      expect(panic.count).toBe(600)
      list[2]!.failedActiveHc = false
      const counts = tally(lb, list, 300)
      expect([...counts.keys()].sort((a, b) => a!.key.localeCompare(b!.key))).toEqual(list.slice(0, 3))
      expect(panic.count).toBe(600)
    })

    test('a threshold above 71 % panics only while Envoy\'s overprovisioned availability (1.4 × ready share) is below 100 %', () => {
      const list = endpoints(4)
      list[0]!.failedActiveHc = true
      const high = countingPanic(80)
      // 3 of 4 ready: 75 % < 80 %, but 1.4 × 75 % ≥ 100 %: no panic.
      expect(tally(make(high), list, 100).has(list[0])).toBe(false)
      expect(high.count).toBe(0)
      list[1]!.failedActiveHc = true
      // 2 of 4: 1.4 × 50 % = 70 %, and 50 % < 80 %: panic.
      expect(tally(make(high), list, 400).has(list[0])).toBe(true)
      expect(high.count).toBe(400)
    })

    test('pending_active_hc endpoints are left out of the panic share; in panic they are used, as Envoy\'s AllHosts', () => {
      // 2 ready of 6 is panic; of 6 less 4 excluded (ignore_new_hosts_until_first_hc) it is not.
      const list = endpoints(6)
      for (const e of list.slice(2)) e.failedActiveHc = e.pendingActiveHc = true
      const panic = countingPanic(50)
      const lb = make(panic)
      const counts = tally(lb, list, 300)
      expect([...counts.keys()].sort((a, b) => a!.key.localeCompare(b!.key))).toEqual(list.slice(0, 2))
      expect(panic.count).toBe(0)
      // One of the two fails: 1 of 2 counted is 50 %, not panic; both fail: panic over all six.
      list[0]!.failedActiveHc = true
      expect([...tally(lb, list, 100).keys()]).toEqual([list[1]])
      list[1]!.failedActiveHc = true
      expect(tally(lb, list, 600).size).toBe(6)
      expect(panic.count).toBe(600)
    })

    test('in panic a retry still avoids the endpoints it tried while others exist', () => {
      const list = endpoints(3)
      for (const e of list) e.failedActiveHc = true
      const lb = make(countingPanic(50))
      for (let i = 0; i < 50; i++) {
        const picked = lb.pick(list, { nowMs: 0, exclude: new Set([list[0]!, list[1]!]) })
        expect(picked).toBe(list[2])
      }
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
      const lb = make(countingPanic(0))
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
