import { describe, expect, test } from 'bun:test'
import { median, renderMarkdown, summarize, type Sample } from './report.ts'
import type { WrkResult } from './wrk.ts'

const result = (requestsPerS: number, p99Ms = 1): WrkResult => ({
  requests: requestsPerS * 10, elapsedS: 10, mibRead: 1, requestsPerS, p50Ms: 0.5, p99Ms, mibPerS: 2, non2xx: 0,
  socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
})
const sample = (round: number, peer: string, rps: number, p99Ms = 1, rssKiB?: number): Sample => ({
  round, peer, load: 'small', result: result(rps, p99Ms), rssKiB,
})

describe('median', () => {
  test('odd, even and empty', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})

describe('summarize', () => {
  test('ratios pair each round with the same round of nginx and direct, then take the median', () => {
    // round 0 the box is fast, round 1 slow: per-round ratios are 0.5 both times
    const samples = [
      sample(0, 'direct', 400), sample(0, 'nginx', 200, 2), sample(0, 'edgeway-bun', 100, 4, 50 * 1024),
      sample(1, 'direct', 40), sample(1, 'nginx', 20, 2), sample(1, 'edgeway-bun', 10, 8, 60 * 1024),
    ]
    const rows = summarize(samples, ['direct', 'nginx', 'edgeway-bun'], ['small', 'big'])
    expect(rows).toHaveLength(3)
    const edgeway = rows.find((r) => r.peer === 'edgeway-bun')
    expect(edgeway?.rpsVsNginx).toBe(0.5)
    expect(edgeway?.rpsVsDirect).toBe(0.25)
    expect(edgeway?.p99VsNginx).toBe(3)
    expect(edgeway?.requestsPerS).toBe(55)
    expect(edgeway?.rssMiB).toBe(60)
    expect(rows.find((r) => r.peer === 'direct')?.rssMiB).toBeUndefined()
  })

  test('no nginx in the run: no ratio to nginx', () => {
    const rows = summarize([sample(0, 'direct', 10), sample(0, 'haproxy', 5)], ['direct', 'haproxy'], ['small'])
    expect(rows[1]?.rpsVsNginx).toBeUndefined()
    expect(rows[1]?.rpsVsDirect).toBe(0.5)
  })
})

describe('renderMarkdown', () => {
  test('one table row per peer and load, dashes for missing figures, failed checks counted', () => {
    const rows = summarize([sample(0, 'direct', 1000), sample(0, 'nginx', 500)], ['direct', 'nginx'], ['small'])
    const text = renderMarkdown(rows, [{ ok: true, what: 'a' }, { ok: false, what: 'b' }], ['note one'])
    expect(text).toContain('| direct | small | 1000 | 0.50 | 1.00 | 2.0 | — | — | — | 2.00 | — | 1.00 | 1.00 |')
    expect(text).toContain('| nginx | small | 500 |')
    expect(text).toContain('## Checks: 1 passed, 1 failed')
    expect(text).toContain('- **FAILED**: b')
    expect(text).toContain('- note one')
  })
})
