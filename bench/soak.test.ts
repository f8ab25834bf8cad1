import { describe, expect, test } from 'bun:test'
import { renderSoak, soakChecks, type SoakResult } from './soak.ts'
import type { WrkResult } from './wrk.ts'

const wrk = (non2xx = 0): WrkResult => ({
  requests: 1000, elapsedS: 10, mibRead: 1, requestsPerS: 100, p50Ms: 1, p99Ms: 2, mibPerS: 0.1, non2xx,
  socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
})
const soak = (rss: number[], non2xx = 0): SoakResult => ({ peer: 'edgeway-bun-traced', durationS: 20, wrk: wrk(non2xx), series: rss.map((mib, i) => [(i + 1) * 5, mib] as const) })

describe('soakChecks', () => {
  test('flat memory and clean requests pass', () => {
    expect(soakChecks(soak([60, 62, 61, 63])).every((c) => c.ok)).toBe(true)
  })
  test('memory that keeps growing fails, naming both halves', () => {
    const [, flat] = soakChecks(soak([60, 70, 85, 100]))
    expect(flat!.ok).toBe(false)
    expect(flat!.what).toContain('GROWS')
  })
  test('failed requests fail the soak', () => {
    expect(soakChecks(soak([60, 60], 3))[0]!.ok).toBe(false)
  })
})

test('renderSoak lists the series and says whether the 64 MiB target was met', () => {
  expect(renderSoak(soak([60, 62]))).toContain('target ≤ 64 MiB: met')
  expect(renderSoak(soak([60, 70]))).toContain('not met')
})

test('renderSoak gives the anonymous-only series and peak beside RSS', () => {
  const text = renderSoak({ ...soak([80, 84]), series: [[5, 80, 40.5], [10, 84, 42.25]] })
  expect(text).toContain('| anon MiB | 40.5 | 42.3 |')
  expect(text).toContain('not met (anonymous pages alone: peak 42.3 MiB)')
})
