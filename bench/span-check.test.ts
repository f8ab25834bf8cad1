import { describe, expect, test } from 'bun:test'
import { parseCounts } from './span-check.ts'

describe('parseCounts', () => {
  test('counts the proxied listener requests (not the admin ones), attempts over clusters, dropped reports', () => {
    const stats = [
      'cluster.service1.upstream_rq_retry: 2',
      'cluster.service1.upstream_rq_total: 1002',
      'cluster.service2.upstream_rq_total: 3',
      'http.ingress_http.downstream_rq_total: 1000',
      'http.admin.downstream_rq_total: 5',
      'tracing.zipkin.reports_dropped: 1',
      'tracing.zipkin.spans_sent: 900',
    ].join('\n')
    expect(parseCounts(stats, 'ingress_http')).toEqual({ served: 1000, attempts: 1005, dropped: 1 })
  })

  test('without a downstream counter the admin text is not usable', () => {
    expect(parseCounts('<html>not stats</html>', 'ingress_http')).toBeUndefined()
  })
})
