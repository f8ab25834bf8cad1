import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { BUCKET_COUNT, bucketIndex, bucketRange, ENVOY_BUCKET_BOUNDS, Histogram, HistogramData } from './histogram.ts'

describe('log-linear buckets', () => {
  test('every value falls inside its bucket, within 6.25 % of its width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7ffffffe }), (value) => {
        const index = bucketIndex(value)
        const [lower, upper] = bucketRange(index)
        expect(index).toBeLessThan(BUCKET_COUNT)
        expect(value).toBeGreaterThanOrEqual(lower)
        expect(value).toBeLessThan(upper)
        if (value >= 16) expect((upper - lower) / lower).toBeLessThanOrEqual(1 / 16)
      }),
    )
  })

  test('buckets are ordered and contiguous', () => {
    for (let index = 1; index < BUCKET_COUNT; index++) expect(bucketRange(index)[0]).toBe(bucketRange(index - 1)[1])
  })

  test('negative, fractional and huge values are clamped, never out of range', () => {
    expect(bucketIndex(-5)).toBe(0)
    expect(bucketIndex(0.4)).toBe(0)
    expect(bucketIndex(2 ** 40)).toBe(BUCKET_COUNT - 1)
  })
})

describe('HistogramData', () => {
  test('quantiles of 1..1000 are within one bucket of the exact ones', () => {
    const data = new HistogramData()
    for (let v = 1; v <= 1000; v++) data.record(v)
    expect(data.quantile(0)).toBe(1)
    expect(data.quantile(1)).toBe(1000)
    for (const q of [0.25, 0.5, 0.75, 0.9, 0.99]) expect(Math.abs(data.quantile(q) - q * 1000) / (q * 1000)).toBeLessThan(0.07)
    expect(data.count).toBe(1000)
    expect(data.sum).toBe(500500)
  })

  test('no values: quantiles are NaN', () => {
    expect(new HistogramData().quantile(0.5)).toBeNaN()
  })

  test("counts at Envoy's bounds are exact and cumulative", () => {
    const data = new HistogramData()
    for (const v of [0, 0.5, 0.7, 1, 3, 5, 6, 3600000, 4000000]) data.record(v)
    const counts = data.cumulativeBoundCounts()
    expect(counts).toHaveLength(ENVOY_BUCKET_BOUNDS.length)
    expect(counts[0]).toBe(2) // ≤ 0.5
    expect(counts[1]).toBe(4) // ≤ 1
    expect(counts[2]).toBe(6) // ≤ 5
    expect(counts[3]).toBe(7) // ≤ 10
    expect(counts.at(-1)).toBe(8) // ≤ 3600000; 4000000 only in +Inf
  })

  test('merging samples (as the primary sums its workers) equals recording everything in one', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100_000)), fc.array(fc.nat(100_000)), (a, b) => {
        const one = new HistogramData()
        const left = new HistogramData()
        const right = new HistogramData()
        for (const v of a) (one.record(v), left.record(v))
        for (const v of b) (one.record(v), right.record(v))
        const merged = new HistogramData()
        merged.add(JSON.parse(JSON.stringify(left.sample())))
        merged.add(right)
        expect(merged.count).toBe(one.count)
        expect([...merged.buckets]).toEqual([...one.buckets])
        expect(merged.cumulativeBoundCounts()).toEqual(one.cumulativeBoundCounts())
        if (one.count) expect(merged.quantile(0.5)).toBe(one.quantile(0.5))
      }),
    )
  })
})

describe('Histogram', () => {
  test('flush closes the interval; cumulative keeps everything', () => {
    const histogram = new Histogram('cluster.a.upstream_rq_time')
    histogram.record(10)
    expect(histogram.interval.count).toBe(0)
    histogram.flush()
    histogram.record(20)
    expect(histogram.interval.count).toBe(1)
    expect(histogram.interval.max).toBe(10)
    expect(histogram.cumulative.count).toBe(2)
    expect(histogram.value).toBe(2)
  })
})
