// Envoy's own priority-load cases (load_balancer_impl_test.cc, LoadBalancerBaseTest GentleFailover
// and GentleFailoverWithExtraLevels, the steps without degraded hosts, which edgeway has none of):
// each level as [hosts, healthy, excluded], the loads and panic flags Envoy asserts.

import { describe, expect, test } from 'bun:test'
import { choosePriority, priorityLoads } from './priority-load.ts'

type Level = readonly [hosts: number, healthy: number, excluded?: number]

function compute(levels: readonly Level[], threshold = 50): { load: number[]; panic: boolean[] } {
  const load = new Uint8Array(129)
  const panic = new Uint8Array(129)
  const counts = {
    ready: levels.map(([, healthy]) => healthy),
    counted: levels.map(([hosts, , excluded = 0]) => hosts - excluded),
    hosts: levels.map(([hosts]) => hosts),
  }
  priorityLoads(levels.length, counts, threshold, load, panic)
  return { load: Array.from(load.subarray(0, levels.length)), panic: Array.from(panic.subarray(0, levels.length), (p) => p === 1) }
}

describe("Envoy's GentleFailover", () => {
  test('P0 fully healthy takes everything', () => expect(compute([[1, 1], [1, 1]])).toEqual({ load: [100, 0], panic: [false, false] }))
  test('50 % healthy is 70 % health: 70 / 30', () => expect(compute([[2, 1], [2, 1]])).toEqual({ load: [70, 30], panic: [false, false] }))
  test('25 % of P0 (35) with P1 healthy: 35 / 65, P0 under the threshold but the total is 100', () => expect(compute([[4, 1], [2, 2]])).toEqual({ load: [35, 65], panic: [false, false] }))
  test('35 + 35 scaled to 50 / 50, both in panic', () => expect(compute([[4, 1], [4, 1]])).toEqual({ load: [50, 50], panic: [true, true] }))
  test('excluded hosts leave the share: 1 of 4 with 3 excluded is fully healthy', () => expect(compute([[4, 1, 3], [5, 1]])).toEqual({ load: [100, 0], panic: [false, false] }))
  test('total panic shares by host count: 4 excluded of 4 and 1 of 4', () => expect(compute([[4, 0, 4], [4, 1]])).toEqual({ load: [50, 50], panic: [true, true] }))
  test('total panic counts excluded hosts too: 4 and 6 hosts give 40 / 60', () => expect(compute([[4, 0, 1], [6, 1, 2]])).toEqual({ load: [40, 60], panic: [true, true] }))
})

describe("Envoy's GentleFailoverWithExtraLevels", () => {
  test('P0 healthy', () => expect(compute([[1, 1], [1, 1], [1, 1]])).toEqual({ load: [100, 0, 0], panic: [false, false, false] }))
  test('70 / 30 / 0', () => expect(compute([[2, 1], [2, 1], [2, 1]]).load).toEqual([70, 30, 0]))
  test('35 / 65 / 0', () => expect(compute([[4, 1], [2, 2], [2, 1]]).load).toEqual([35, 65, 0]))
  test('35 / 35 / 30', () => expect(compute([[4, 1], [4, 1], [4, 1]]).load).toEqual([35, 35, 30]))
  test('28 each, scaled: 34 / 33 / 33 with the rounding on P0, all in panic', () => expect(compute([[5, 1], [5, 1], [5, 1]])).toEqual({ load: [34, 33, 33], panic: [true, true, true] }))
  test('P0, P1 down and P2 healthy: 0 / 0 / 100, no panic', () => expect(compute([[5, 0], [5, 0], [5, 5]])).toEqual({ load: [0, 0, 100], panic: [false, false, false] }))
  test('P2 at 80 % is still 100 % health', () => expect(compute([[5, 0], [5, 0], [5, 4]])).toEqual({ load: [0, 0, 100], panic: [false, false, false] }))
  test('P2 at 40 % (56): total panic by host count, 34 / 33 / 33', () => expect(compute([[5, 0], [5, 0], [5, 2]])).toEqual({ load: [34, 33, 33], panic: [true, true, true] }))
  test('all down: 5 / 3 / 2 hosts give 50 / 30 / 20', () => expect(compute([[5, 0], [3, 0], [2, 0]])).toEqual({ load: [50, 30, 20], panic: [true, true, true] }))
  test('total panic rounding to P0: 37 / 42 / 21', () => expect(compute([[5, 0], [6, 2], [3, 1]])).toEqual({ load: [37, 42, 21], panic: [true, true, true] }))
  test('rounding to the first non-empty level: 0 / 67 / 33', () => expect(compute([[0, 0], [6, 0], [3, 0]])).toEqual({ load: [0, 67, 33], panic: [true, true, true] }))
  test('3 / 3 / 3 all down: 34 / 33 / 33', () => expect(compute([[3, 0], [3, 0], [3, 0]]).load).toEqual([34, 33, 33]))
})

describe('threshold 0 and the roll', () => {
  test('no health anywhere at threshold 0: all to P0, no panic (Envoy finds no host there)', () => expect(compute([[2, 0], [2, 0]], 0)).toEqual({ load: [100, 0], panic: [false, false] }))
  test('threshold 0 never panics: 35 / 35 scaled', () => expect(compute([[4, 1], [4, 1]], 0)).toEqual({ load: [50, 50], panic: [false, false] }))
  test("Envoy's OverProvisioningFactor: 2 of 4 in each gives 70 / 30", () => expect(compute([[4, 2], [4, 2]]).load).toEqual([70, 30]))
  test('choosePriority: rolls 1..70 land in P0, 71..100 in P1', () => {
    const load = Uint8Array.from([70, 30])
    expect([1, 70, 71, 100].map((roll) => choosePriority(roll, 2, load))).toEqual([0, 0, 1, 1])
  })
})
