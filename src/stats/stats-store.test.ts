import { describe, expect, test } from 'bun:test'
import { CLUSTER_COUNTERS, CLUSTER_GAUGES, LISTENER_COUNTERS } from './stat-names.ts'
import { StatsStore } from './stats-store.ts'

describe('StatsStore', () => {
  test('a cluster scope declares every catalogue stat under cluster.<name>.', () => {
    const store = new StatsStore()
    const scope = store.cluster('service1')
    scope.upstream_rq_total.inc()
    scope.upstream_rq_active.set(4)
    const names = store.all().map((stat) => stat.name)
    expect(names).toHaveLength(CLUSTER_COUNTERS.length + CLUSTER_GAUGES.length)
    expect(store.get('cluster.service1.upstream_rq_total').value).toBe(1)
    expect(store.get('cluster.service1.upstream_rq_active').kind).toBe('gauge')
    expect(store.get('cluster.service1.upstream_rq_active').value).toBe(4)
  })

  test('per-code counters are created on first use and reused', () => {
    const store = new StatsStore()
    const scope = store.cluster('service1')
    scope.code(200).inc()
    scope.code(200).inc()
    expect(scope.code(200)).toBe(store.get('cluster.service1.upstream_rq_200'))
    expect(store.get('cluster.service1.upstream_rq_200').value).toBe(2)
  })

  test('scopes for the same name share their stats (workers and admin see one number)', () => {
    const store = new StatsStore()
    store.listener('ingress_http').downstream_rq_total.inc()
    store.listener('ingress_http').downstream_rq_total.inc()
    expect(store.get('http.ingress_http.downstream_rq_total').value).toBe(2)
    expect(store.all().filter((stat) => stat.name.startsWith('http.'))).toHaveLength(LISTENER_COUNTERS.length + 1)
  })

  test('all() is sorted by name', () => {
    const store = new StatsStore()
    store.get('b')
    store.get('a.z')
    store.get('a.b')
    expect(store.all().map((stat) => stat.name)).toEqual(['a.b', 'a.z', 'b'])
  })

  test('reset zeroes counters and leaves gauges alone', () => {
    const store = new StatsStore()
    store.tracing().spans_sent.inc(5)
    store.server().live.set(1)
    store.reset()
    expect(store.get('tracing.zipkin.spans_sent').value).toBe(0)
    expect(store.get('server.live').value).toBe(1)
  })

  test('inc, dec and set', () => {
    const stat = new StatsStore().get('g', 'gauge')
    stat.inc(3)
    stat.dec()
    expect(stat.value).toBe(2)
    stat.set(9)
    expect(stat.value).toBe(9)
  })
})
