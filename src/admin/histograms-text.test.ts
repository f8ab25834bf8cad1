import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { histogramsJson, renderHistogramsText, renderPrometheusHistograms } from './histograms-text.ts'
import { lintExposition } from './prometheus-lint.ts'
import { renderPrometheus } from './prometheus.ts'

function storeWithTraffic(): StatsStore {
  const store = new StatsStore()
  const cluster = store.cluster('service1')
  for (const ms of [1, 2, 3, 4, 100]) cluster.upstream_rq_time.record(ms)
  store.flushHistograms()
  cluster.upstream_rq_time.record(7)
  store.listener('ingress_http')
  return store
}

describe('histograms in the admin formats', () => {
  test("text: Envoy's P-line with (interval,cumulative); empty ones say so", () => {
    const text = renderHistogramsText(storeWithTraffic().histograms())
    expect(text).toContain('http.ingress_http.downstream_rq_time: No recorded values\n')
    const line = text.split('\n').find((l) => l.startsWith('cluster.service1.upstream_rq_time: '))!
    expect(line).toMatch(/^cluster\.service1\.upstream_rq_time: P0\(1,1\) P25\([\d.]+,[\d.]+\) P50\(/)
    expect(line).toContain('P100(100,100)')
    expect(line.match(/P[\d.]+\(/g)).toEqual(['P0(', 'P25(', 'P50(', 'P75(', 'P90(', 'P95(', 'P99(', 'P99.5(', 'P99.9(', 'P100('])
  })

  test('json: supported_quantiles and computed_quantiles, null for an empty interval', () => {
    const json = histogramsJson(storeWithTraffic().histograms())
    expect(json.histograms.supported_quantiles).toEqual([0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100])
    const upstream = json.histograms.computed_quantiles.find((h) => h.name === 'cluster.service1.upstream_rq_time')!
    expect(upstream.values).toHaveLength(10)
    expect(upstream.values[9]).toEqual({ interval: 100, cumulative: 100 })
    const downstream = json.histograms.computed_quantiles.find((h) => h.name === 'http.ingress_http.downstream_rq_time')!
    expect(downstream.values[0]).toEqual({ interval: null, cumulative: null })
  })

  test("prometheus: _bucket at Envoy's bounds, _sum and _count, with the scope's labels; lints clean beside the counters", () => {
    const store = storeWithTraffic()
    const body = renderPrometheusHistograms(store.histograms(), ['service1'])
    expect(body).toContain('# TYPE envoy_cluster_upstream_rq_time histogram\n')
    expect(body).toContain('envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="service1",le="0.5"} 0\n')
    expect(body).toContain('envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="service1",le="5"} 4\n')
    expect(body).toContain('envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="service1",le="+Inf"} 6\n')
    expect(body).toContain('envoy_cluster_upstream_rq_time_sum{envoy_cluster_name="service1"} 117\n')
    expect(body).toContain('envoy_cluster_upstream_rq_time_count{envoy_cluster_name="service1"} 6\n')
    expect(body).toContain('envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix="ingress_http"} 0\n')
    expect(lintExposition(renderPrometheus(store.all(), ['service1']) + body)).toEqual([])
  })
})
