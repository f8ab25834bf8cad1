import { describe, expect, test } from 'bun:test'
import { lintExposition } from './prometheus-lint.ts'
import { renderPrometheus, toSeries } from './prometheus.ts'
import { StatsStore } from '../stats/stats-store.ts'

function populatedStore(): StatsStore {
  const store = new StatsStore()
  const service1 = store.cluster('service1')
  service1.upstream_rq_total.inc(3)
  service1.upstream_rq_2xx.inc(2)
  service1.upstream_rq_5xx.inc()
  service1.code(200).inc(2)
  service1.code(503).inc()
  service1.membership_healthy.set(3)
  store.cluster('b.local.service').code(200).inc()
  store.cluster('b.local.service').ssl().tlsHandshake({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', curve: 'X25519', sessionReused: false })
  const http = store.listener('ingress_http')
  http.downstream_rq_total.inc(4)
  http.downstream_rq_2xx.inc(4)
  store.tracing().spans_sent.inc(7)
  store.server().live.set(1)
  return store
}

describe('renderPrometheus', () => {
  const body = renderPrometheus(populatedStore().all(), ['service1', 'b.local.service'])

  test('the whole exposition is valid', () => {
    expect(lintExposition(body)).toEqual([])
  })

  test("ssl.* per-value counters carry Envoy's tags (cipher_suite for a cluster's cipher); the fixed ones are plain families", () => {
    expect(body).toContain('envoy_cluster_ssl_handshake{envoy_cluster_name="b.local.service"} 1\n')
    expect(body).toContain('envoy_cluster_ssl_versions{envoy_ssl_version="TLSv1.3",envoy_cluster_name="b.local.service"} 1\n')
    expect(body).toContain('envoy_cluster_ssl_ciphers{cipher_suite="TLS_AES_128_GCM_SHA256",envoy_cluster_name="b.local.service"} 1\n')
    expect(body).toContain('envoy_cluster_ssl_curves{envoy_ssl_curve="X25519",envoy_cluster_name="b.local.service"} 1\n')
    expect(body).toContain('envoy_cluster_ssl_fail_verify_san{envoy_cluster_name="b.local.service"} 0\n')
  })

  test('cluster stats carry envoy_cluster_name, codes and code classes as labels', () => {
    expect(body).toContain('envoy_cluster_upstream_rq_total{envoy_cluster_name="service1"} 3\n')
    expect(body).toContain('envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="service1"} 2\n')
    expect(body).toContain('envoy_cluster_upstream_rq{envoy_response_code="503",envoy_cluster_name="service1"} 1\n')
    expect(body).toContain('envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="service1"} 2\n')
    expect(body).toContain('envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="b.local.service"} 1\n')
  })

  test('counters and gauges are typed', () => {
    expect(body).toContain('# TYPE envoy_cluster_upstream_rq_total counter\n')
    expect(body).toContain('# TYPE envoy_cluster_membership_healthy gauge\nenvoy_cluster_membership_healthy{envoy_cluster_name="b.local.service"} 0\n')
    expect(body).toContain('# TYPE envoy_server_live gauge\nenvoy_server_live 1\n')
  })

  test('listener, tracing and dotted names are sanitised', () => {
    expect(body).toContain('envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress_http"} 4\n')
    expect(body).toContain('envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="ingress_http"} 4\n')
    expect(body).toContain('envoy_http_tracing_random_sampling{envoy_http_conn_manager_prefix="ingress_http"} 0\n')
    expect(body).toContain('envoy_cluster_health_check_attempt{envoy_cluster_name="service1"} 0\n')
    expect(body).toContain('envoy_tracing_zipkin_spans_sent 7\n')
  })

  test('without the cluster list a dotted cluster name is cut at the first dot, as Envoy', () => {
    expect(toSeries('cluster.b.local.service.upstream_rq_total', [])).toEqual({
      family: 'envoy_cluster_local_service_upstream_rq_total',
      labels: [['envoy_cluster_name', 'b']],
    })
  })

  test('odd names and label values stay valid', () => {
    const store = new StatsStore()
    store.get('weird-name.with spaces/and:colons').inc()
    store.cluster('quote"back\\slash').upstream_rq_total.inc()
    store.get('a.b').inc()
    store.get('a_b').inc(2)
    const odd = renderPrometheus(store.all())
    expect(lintExposition(odd)).toEqual([])
    expect(odd).toContain('envoy_weird_name_with_spaces_and_colons 1\n')
    expect(odd).toContain('envoy_cluster_upstream_rq_total{envoy_cluster_name="quote\\"back\\\\slash"} 1\n')
    // `a.b` and `a_b` sanitise to one series: only the first is kept.
    expect(odd.match(/^envoy_a_b /gm)).toHaveLength(1)
  })

  test('an empty store renders an empty exposition', () => {
    expect(renderPrometheus([])).toBe('')
  })
})

describe('lintExposition', () => {
  test('accepts a well-formed exposition', () => {
    expect(lintExposition('# HELP x_total help text\n# TYPE x_total counter\nx_total{a="1",b="2"} 3\nx_total{a="2"} 1.5e3 1700000000\n')).toEqual([])
  })

  test('rejects what Prometheus would refuse', () => {
    expect(lintExposition('x 1\n')).toEqual(['line 1: sample of x before any TYPE line for it'])
    expect(lintExposition('# TYPE x counter\nx 1\n# TYPE x counter\n')).toHaveLength(2)
    expect(lintExposition('# TYPE x counter\nx{a="1"} 1\nx{a="1"} 2\n')).toEqual(['line 3: duplicate series x{a=1}'])
    expect(lintExposition('# TYPE x counter\n# TYPE y gauge\nx 1\ny 1\nx{a="b"} 2\n')).toEqual(['line 5: samples of x are not grouped together'])
    expect(lintExposition('# TYPE x-y counter\n')).toHaveLength(1)
    expect(lintExposition('# TYPE x counter\nx{a="unterminated} 1\n')).toHaveLength(1)
    expect(lintExposition('# TYPE x counter\nx one\n')).toHaveLength(1)
    expect(lintExposition('# TYPE x counter\nx{a="1",a="2"} 1\n')).toEqual(['line 2: repeated label name'])
    expect(lintExposition('# TYPE x counter\nx 1')).toEqual(['exposition must end with a newline'])
  })
})
