// A latency histogram as Envoy keeps them (`upstream_rq_time`, `downstream_rq_time`, in ms):
// fixed log-linear buckets (16 linear sub-buckets per power of two, ≤ 6.25 % relative error) so
// recording is a few integer operations and no allocation, plus exact counts at Envoy's default
// Prometheus bucket bounds. Buckets merge by addition, which is how workers' histograms add up.

/** Envoy's default histogram bucket bounds (`stats_config.histogram_bucket_settings` unset). */
export const ENVOY_BUCKET_BOUNDS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const

/** The quantiles Envoy's /stats prints (`P0(...) P25(...) ...`), as fractions. */
export const SUPPORTED_QUANTILES = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1] as const

const SUB_BITS = 4
const SUB = 1 << SUB_BITS
/** Values are clamped below 2^31; exponents 4..30 give 27 groups of 16 after the 16 exact ones. */
export const BUCKET_COUNT = SUB + (31 - SUB_BITS) * SUB

/** The bucket a value falls in: exact below 16, then 16 per power of two. */
export function bucketIndex(value: number): number {
  const n = value >= 0x7fffffff ? 0x7fffffff : value > 0 ? Math.floor(value) : 0
  if (n < SUB) return n
  const exponent = 31 - Math.clz32(n)
  return SUB + (exponent - SUB_BITS) * SUB + ((n >>> (exponent - SUB_BITS)) & (SUB - 1))
}

/** [lower, upper) of a bucket. */
export function bucketRange(index: number): [number, number] {
  if (index < SUB) return [index, index + 1]
  const exponent = ((index - SUB) >> SUB_BITS) + SUB_BITS
  const width = 2 ** (exponent - SUB_BITS)
  const lower = (SUB + ((index - SUB) & (SUB - 1))) * width
  return [lower, lower + width]
}

/** The recorded values of one period (cumulative, or one flush interval). */
export class HistogramData {
  readonly buckets = new Float64Array(BUCKET_COUNT)
  /** Counts of values ≤ each of ENVOY_BUCKET_BOUNDS (not cumulative across bounds). */
  readonly boundCounts = new Float64Array(ENVOY_BUCKET_BOUNDS.length + 1)
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  record(value: number): void {
    this.buckets[bucketIndex(value)]!++
    let bound = 0
    while (bound < ENVOY_BUCKET_BOUNDS.length && value > ENVOY_BUCKET_BOUNDS[bound]!) bound++
    this.boundCounts[bound]!++
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
  }

  add(other: HistogramData | HistogramSample): void {
    if (other.count === 0) return
    const buckets = other instanceof HistogramData ? sparse(other.buckets) : other.buckets
    for (const [index, n] of buckets) this.buckets[index]! += n
    for (let i = 0; i < this.boundCounts.length; i++) this.boundCounts[i]! += other.boundCounts[i] ?? 0
    this.count += other.count
    this.sum += other.sum
    this.min = Math.min(this.min, other.min)
    this.max = Math.max(this.max, other.max)
  }

  /** The value at quantile q (0..1), interpolated inside its bucket and kept within [min, max]. */
  quantile(q: number): number {
    if (this.count === 0) return NaN
    if (q <= 0) return this.min
    if (q >= 1) return this.max
    const rank = q * this.count
    let seen = 0
    for (let index = 0; index < BUCKET_COUNT; index++) {
      const n = this.buckets[index]!
      if (n === 0) continue
      if (seen + n >= rank) {
        const [lower, upper] = bucketRange(index)
        const value = lower + ((rank - seen) / n) * (upper - lower)
        return Math.min(this.max, Math.max(this.min, value))
      }
      seen += n
    }
    return this.max
  }

  /** Cumulative counts at each Envoy bound, as Prometheus `_bucket{le=...}` wants them. */
  cumulativeBoundCounts(): number[] {
    const out: number[] = []
    let total = 0
    for (let i = 0; i < ENVOY_BUCKET_BOUNDS.length; i++) out.push((total += this.boundCounts[i]!))
    return out
  }

  sample(): HistogramSample {
    return { buckets: sparse(this.buckets), boundCounts: [...this.boundCounts], count: this.count, sum: this.sum, min: this.min, max: this.max }
  }
}

/** A histogram period as JSON can carry it between processes (only the non-empty buckets). */
export type HistogramSample = {
  readonly buckets: readonly (readonly [index: number, count: number])[]
  readonly boundCounts: readonly number[]
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
}

function sparse(buckets: Float64Array): [number, number][] {
  const out: [number, number][] = []
  for (let index = 0; index < buckets.length; index++) if (buckets[index] !== 0) out.push([index, buckets[index]!])
  return out
}

/**
 * A named histogram: everything recorded since start (cumulative) and the last completed flush
 * interval, Envoy's `P50(interval,cumulative)` pair. `flush()` closes the current interval.
 */
export class Histogram {
  readonly cumulative = new HistogramData()
  #current = new HistogramData()
  interval = new HistogramData()

  constructor(readonly name: string) {}

  /** Values recorded so far: what `?usedonly` and the filter treat as the stat's value. */
  get value(): number {
    return this.cumulative.count
  }

  record(value: number): void {
    this.cumulative.record(value)
    this.#current.record(value)
  }

  flush(): void {
    this.interval = this.#current
    this.#current = new HistogramData()
  }
}
