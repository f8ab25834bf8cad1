// Locality weighted balancing as Envoy's docs tabulate it (arch_overview/upstream/load_balancing/
// locality_weight.rst): localities X (weight 1) and Y (weight 2, all ready), the overprovisioning
// factor 1.4; X's share as its ready endpoints go. Effective weights as LocalityWrr's
// effectiveLocalityWeight, shares from the EDF schedule over whole cycles.

import { describe, expect, test } from 'bun:test'
import { Endpoint } from '../endpoint.ts'
import { effectiveLocalityWeight, LocalityWrr } from './locality-wrr.ts'

const X = { region: 'r', zone: 'x', subZone: '' }
const Y = { region: 'r', zone: 'y', subZone: '' }

/** `n` endpoints of `locality` with locality weight `weight`, the first `ready` of them ready. */
function group(locality: typeof X, weight: number, n: number, ready: number): Endpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const e = new Endpoint(`10.0.${locality.zone === 'x' ? 1 : 2}.${i + 1}`, 80, '', 1, 0, locality, weight)
    e.failedActiveHc = i >= ready
    return e
  })
}

/** X's share of 100 000 locality picks, in percent. */
function xShare(xReadyOf100: number): number {
  const wrr = new LocalityWrr([...group(X, 1, 100, xReadyOf100), ...group(Y, 2, 100, 100)])
  wrr.rebuild(0, 12345)
  let x = 0
  for (let i = 0; i < 100_000; i++) if (wrr.choose() === 0) x++
  return x / 1000
}

// The table's figures are rounded loosely (69 % gives 32.57 %, printed 32): each is checked to
// within a point, and the measured share against the formula to within 0.01 %.
describe("Envoy's locality_weight.rst table (X weight 1, Y weight 2, Y all ready)", () => {
  for (const [ready, share] of [[100, 33], [70, 33], [69, 32], [50, 26], [25, 15], [0, 0]] as const) {
    test(`X ${ready} % ready: ${share} % of the traffic to X`, () => {
      const measured = xShare(ready)
      const x = Math.min(1, 1.4 * (ready / 100))
      expect(Math.abs(measured - (100 * x) / (x + 2))).toBeLessThan(0.01)
      expect(Math.abs(measured - share)).toBeLessThanOrEqual(1)
    })
  }
})

describe('effective locality weight', () => {
  test('weight × min(1, 1.4 × ready share); excluded endpoints leave the share; none counted is 0', () => {
    expect(effectiveLocalityWeight(group(X, 3, 4, 4), 3, 0)).toBe(3)
    expect(effectiveLocalityWeight(group(X, 3, 4, 2), 3, 0)).toBeCloseTo(2.1, 12)
    const pending = group(X, 3, 4, 1)
    for (const e of pending.slice(1)) e.pendingActiveHc = true
    expect(effectiveLocalityWeight(pending, 3, 0)).toBe(3)
    for (const e of pending) (e.failedActiveHc = true), (e.pendingActiveHc = true)
    expect(effectiveLocalityWeight(pending, 3, 0)).toBe(0)
  })

  test('weight 0 (no load_balancing_weight) or no ready endpoint: never chosen; nothing weighted: no schedule', () => {
    const wrr = new LocalityWrr([...group(X, 0, 2, 2), ...group(Y, 2, 2, 2)])
    wrr.rebuild(0, 1)
    expect(new Set(Array.from({ length: 50 }, () => wrr.choose()))).toEqual(new Set([1]))
    const none = new LocalityWrr([...group(X, 0, 2, 2), ...group(Y, 2, 2, 0)])
    none.rebuild(0, 1)
    expect(none.choose()).toBe(-1)
  })

  test('localities group by region, zone and sub_zone in the order they first appear; the weight is the last given', () => {
    const a = group(X, 1, 1, 1)
    const b = group(Y, 2, 1, 1)
    const c = [new Endpoint('10.0.3.1', 80, '', 1, 0, { ...X }, 5)]
    const wrr = new LocalityWrr([...a, ...b, ...c])
    expect(wrr.localities.map((l) => l.map((e) => e.address))).toEqual([['10.0.1.1', '10.0.3.1'], ['10.0.2.1']])
    expect(wrr.effectiveWeights(0)).toEqual([5, 2])
  })
})
