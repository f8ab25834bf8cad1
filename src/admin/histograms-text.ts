// Histograms in Envoy's three admin shapes: the `/stats` text line (`P0(interval,cumulative) ...`),
// the `histograms` element of `/stats?format=json`, and Prometheus `_bucket`/`_sum`/`_count` series
// at Envoy's default bucket bounds.

import { ENVOY_BUCKET_BOUNDS, SUPPORTED_QUANTILES, type Histogram, type HistogramData } from '../stats/histogram.ts'
import { prometheusLabels, toSeries } from './prometheus.ts'

export function renderHistogramsText(histograms: readonly Histogram[]): string {
  let out = ''
  for (const histogram of histograms) {
    if (histogram.cumulative.count === 0) {
      out += `${histogram.name}: No recorded values\n`
      continue
    }
    const pairs = SUPPORTED_QUANTILES.map((q) => `P${q * 100}(${formatText(histogram.interval, q)},${formatText(histogram.cumulative, q)})`)
    out += `${histogram.name}: ${pairs.join(' ')}\n`
  }
  return out
}

export type HistogramsJson = {
  histograms: {
    supported_quantiles: number[]
    computed_quantiles: { name: string; values: { interval: number | null; cumulative: number | null }[] }[]
  }
}

export function histogramsJson(histograms: readonly Histogram[]): HistogramsJson {
  return {
    histograms: {
      supported_quantiles: SUPPORTED_QUANTILES.map((q) => q * 100),
      computed_quantiles: histograms.map((histogram) => ({
        name: histogram.name,
        values: SUPPORTED_QUANTILES.map((q) => ({ interval: jsonValue(histogram.interval, q), cumulative: jsonValue(histogram.cumulative, q) })),
      })),
    },
  }
}

/** Prometheus histogram families (cumulative values), named and labelled as the counters are. */
export function renderPrometheusHistograms(histograms: readonly Histogram[], clusterNames: readonly string[] = []): string {
  const byLength = [...clusterNames].sort((a, b) => b.length - a.length)
  const families = new Map<string, string[]>()
  for (const histogram of histograms) {
    const { family, labels } = toSeries(histogram.name, byLength)
    const data = histogram.cumulative
    const counts = data.cumulativeBoundCounts()
    let lines = families.get(family)
    if (!lines) families.set(family, (lines = []))
    ENVOY_BUCKET_BOUNDS.forEach((bound, i) => lines.push(`${family}_bucket${prometheusLabels([...labels, ['le', String(bound)]])} ${counts[i]}`))
    lines.push(`${family}_bucket${prometheusLabels([...labels, ['le', '+Inf']])} ${data.count}`)
    lines.push(`${family}_sum${prometheusLabels(labels)} ${data.sum}`)
    lines.push(`${family}_count${prometheusLabels(labels)} ${data.count}`)
  }
  let out = ''
  for (const family of [...families.keys()].sort()) out += `# TYPE ${family} histogram\n${families.get(family)!.join('\n')}\n`
  return out
}

function jsonValue(data: HistogramData, q: number): number | null {
  return data.count === 0 ? null : round(data.quantile(q))
}

function formatText(data: HistogramData, q: number): string {
  return data.count === 0 ? 'nan' : String(round(data.quantile(q)))
}

/** Envoy prints quantiles with a handful of significant digits. */
function round(value: number): number {
  return Number(value.toPrecision(6))
}
