import { describe, expect, test } from 'bun:test'
import { renderTargets, targets } from './targets.ts'
import { summarize, type Sample } from './report.ts'
import type { WrkResult } from './wrk.ts'

const result = (requestsPerS: number): WrkResult => ({
  requests: requestsPerS * 5, elapsedS: 5, mibRead: 1, requestsPerS, p50Ms: 0.5, p99Ms: 1, mibPerS: 2, non2xx: 0,
  socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
})
const sample = (round: number, peer: string, rps: number): Sample => ({ round, peer, load: 'small', result: result(rps) })

describe('targets', () => {
  // Three rounds on a drifting box: the pass-through falls and rises, edgeway follows at 0.8, 0.9, 0.7.
  const samples = [
    sample(0, 'bun-passthrough', 100), sample(0, 'edgeway-bun', 80),
    sample(1, 'bun-passthrough', 50), sample(1, 'edgeway-bun', 45),
    sample(2, 'bun-passthrough', 200), sample(2, 'edgeway-bun', 140),
  ]
  const list = targets(samples, summarize(samples, ['bun-passthrough', 'edgeway-bun'], ['small']))

  test('a ratio is the median of the per-round ratios, with the lowest and highest beside it', () => {
    const vsPassthrough = list.find((t) => t.what === 'edgeway-bun small ÷ bun-passthrough')
    expect(vsPassthrough?.value).toBeCloseTo(0.8)
    expect(vsPassthrough?.range?.[0]).toBeCloseTo(0.7)
    expect(vsPassthrough?.range?.[1]).toBeCloseTo(0.9)
  })

  test('rendered as met / not met with the range; a peer that did not run says so', () => {
    const text = renderTargets(list).join('\n')
    expect(text).toContain('| edgeway-bun small ÷ bun-passthrough | ≥ 0.85 | 0.80 | 0.70–0.90 | not met |')
    expect(text).toContain('| edgeway-bun small ÷ hono-proxy-bun | ≥ 1.3 | — | — | peer not run |')
  })

  test('RSS and anonymous RSS against the pass-through; the anonymous line gets no verdict', () => {
    const withMemory: Sample[] = [
      { ...sample(0, 'bun-passthrough', 100), rssKiB: 50 * 1024, anonKiB: 14 * 1024 },
      { ...sample(0, 'edgeway-bun', 80), rssKiB: 75 * 1024, anonKiB: 24 * 1024 },
    ]
    const text = renderTargets(targets(withMemory, summarize(withMemory, ['bun-passthrough', 'edgeway-bun'], ['small']))).join('\n')
    expect(text).toContain('| edgeway-bun RSS − bun-passthrough RSS, MiB | ≤ 12 | 25.00 | — | not met |')
    expect(text).toMatch(/\| the same without file-backed pages \(RssAnon\)[^|]*\| ≤ 12 \| 10\.00 \| — \| for information \|/)
  })
})
