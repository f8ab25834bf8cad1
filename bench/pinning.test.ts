import { describe, expect, test } from 'bun:test'
import { pinned, planPinning } from './pinning.ts'

describe('--pin plan', () => {
  test('fewer than 4 cores: says it cannot and why', () => {
    const plan = planPinning(2)
    expect('cannot' in plan && plan.cannot).toContain('this machine has 2')
  })

  test('8 cores: wrk on 0, upstream on 1, the proxy on 2-7, concurrency 1, 2, 4 and 6', () => {
    expect(planPinning(8)).toEqual({ wrk: '0', upstream: '1', proxy: '2-7', concurrencies: [1, 2, 4, 6] })
  })

  test('4 cores: 1 and 2 workers', () => {
    expect(planPinning(4)).toEqual({ wrk: '0', upstream: '1', proxy: '2-3', concurrencies: [1, 2] })
  })

  test('pinned commands go through taskset -c', () => {
    expect(pinned('2-3', 'bun', ['a.ts'])).toEqual(['taskset', ['-c', '2-3', 'bun', 'a.ts']])
    expect(pinned(undefined, 'bun', ['a.ts'])).toEqual(['bun', ['a.ts']])
  })
})
