import { describe, expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { renderStatsText, selectStats, statsJson } from './stats-text.ts'
import { loadSafeRegex } from '../regex/safe-regex.ts'

// re2js loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests compile patterns directly.
await loadSafeRegex()

const store = new StatsStore()
store.get('cluster.service1.upstream_rq_total').inc(3)
store.get('cluster.service1.upstream_rq_5xx')
store.get('http.ingress_http.downstream_rq_total').inc(2)
store.get('server.live', 'gauge').set(1)

describe('selectStats', () => {
  test('no filter keeps everything, sorted', () => {
    const selection = selectStats(store.all(), undefined, false)
    expect(selection.ok && selection.stats.map((stat) => stat.name)).toEqual([
      'cluster.service1.upstream_rq_5xx',
      'cluster.service1.upstream_rq_total',
      'http.ingress_http.downstream_rq_total',
      'server.live',
    ])
  })

  test('filter is a regex searched anywhere in the name', () => {
    const selection = selectStats(store.all(), 'rq_(total|5xx)$', false)
    expect(selection.ok && selection.stats.length).toBe(3)
    const anchored = selectStats(store.all(), '^http\\.', false)
    expect(anchored.ok && anchored.stats.map((stat) => stat.name)).toEqual(['http.ingress_http.downstream_rq_total'])
  })

  test('usedonly drops stats still at zero', () => {
    const selection = selectStats(store.all(), 'cluster', true)
    expect(selection.ok && selection.stats.map((stat) => stat.name)).toEqual(['cluster.service1.upstream_rq_total'])
  })

  test('a bad regex is reported, not thrown', () => {
    const selection = selectStats(store.all(), '(unclosed', false)
    expect(selection.ok).toBe(false)
    expect(!selection.ok && selection.error).toStartWith('Invalid regex: ')
  })
})

describe('rendering', () => {
  test('text is `name: value` lines', () => {
    expect(renderStatsText(store.all().slice(2))).toBe('http.ingress_http.downstream_rq_total: 2\nserver.live: 1\n')
  })

  test("json is Envoy's {stats: [{name, value}]}", () => {
    expect(statsJson(store.all().slice(3))).toEqual({ stats: [{ name: 'server.live', value: 1 }] })
  })
})
