import { describe, expect, test } from 'bun:test'
import { sampleTrace } from '../sample-trace.ts'
import { waterfallRows } from './waterfall-rows.ts'

describe('waterfallRows', () => {
  test('nests the demo trace and scales bars to the trace duration', () => {
    const { rows, durationUs } = waterfallRows(sampleTrace({ traceId: '00000000000000a1', startUs: 1_000_000 }))
    expect(durationUs).toBe(12_400)
    expect(rows.map((row) => [row.span.localEndpoint?.serviceName, row.depth])).toEqual([
      ['front-proxy', 0], ['front-proxy', 1], ['service1', 2], ['service1', 3], ['service2', 4], ['service2', 5],
    ])
    expect(rows[0]).toMatchObject({ offsetPct: 0, widthPct: 100, error: false })
    expect(rows[4]!.error).toBe(true)
    expect(rows[5]!.offsetPct).toBeCloseTo((4_100 / 12_400) * 100)
  })

  test('a span with no duration still shows as a sliver; a missing parent becomes a root', () => {
    const { rows } = waterfallRows([
      { traceId: '00000000000000a1', id: '0000000000000002', parentId: '00000000000000ff', timestamp: 10 },
      { traceId: '00000000000000a1', id: '0000000000000003', parentId: '0000000000000002', timestamp: 10, duration: 5 },
    ])
    expect(rows.map((row) => row.depth)).toEqual([0, 1])
    expect(rows[0]!.widthPct).toBeGreaterThan(0)
  })
})
