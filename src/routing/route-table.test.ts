import { describe, expect, test } from 'bun:test'
import type { RouteConfig, RouteMatchConfig, VirtualHostConfig } from '../config/model.ts'
import { RouteTable, type RouteRequest } from './route-table.ts'
import { loadSafeRegex } from '../regex/safe-regex.ts'

// re2js loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests compile patterns directly.
await loadSafeRegex()

const noRules = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] }

function route(match: Partial<RouteMatchConfig>, action: Partial<RouteConfig> = {}): RouteConfig {
  return {
    ...noRules,
    name: undefined,
    match: { caseSensitive: true, headers: [], ...match },
    cluster: 'c',
    weightedClusters: undefined,
    prefixRewrite: undefined,
    hostRewrite: undefined,
    timeoutMs: 15_000,
    idleTimeoutMs: 0,
    retryPolicy: undefined,
    operation: undefined,
    websocket: undefined,
    hashPolicy: [],
    fault: undefined,
    ...action,
  }
}

function vhost(name: string, domains: string[], routes: RouteConfig[]): VirtualHostConfig {
  return { ...noRules, name, domains, routes, retryPolicy: undefined, requireTls: 'none', fault: undefined }
}

function request(path: string, init: Partial<Omit<RouteRequest, 'path'>> = {}): RouteRequest {
  return { authority: 'localhost:8000', query: '', headers: new Headers(), ...init, path }
}

/** mulberry32: a seeded random so the weighted split is reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('RouteTable: path matchers', () => {
  const table = new RouteTable([
    vhost('front', ['*'], [
      route({ path: '/exact' }, { cluster: 'exact' }),
      route({ path: '/Loose', caseSensitive: false }, { cluster: 'loose-path' }),
      route({ safeRegex: '/items/[0-9]+' }, { cluster: 'regex' }),
      route({ prefix: '/service/1' }, { cluster: 'service1' }),
      route({ prefix: '/service/2' }, { cluster: 'service2' }),
      route({ prefix: '/CASE', caseSensitive: false }, { cluster: 'loose-prefix' }),
      route({ prefix: '/fallback' }, { cluster: 'fallback' }),
    ]),
  ])
  const clusterFor = (path: string, query = '') => table.match(request(path, { query }))?.cluster

  test('prefix is a plain string prefix: /service/1 also matches /service/10, as Envoy', () => {
    expect(clusterFor('/service/1')).toBe('service1')
    expect(clusterFor('/service/10')).toBe('service1')
    expect(clusterFor('/service/1/anything')).toBe('service1')
    expect(clusterFor('/service/2')).toBe('service2')
    expect(clusterFor('/service/3')).toBeUndefined()
  })

  test('path is exact and ignores the query', () => {
    expect(clusterFor('/exact', 'a=1')).toBe('exact')
    expect(clusterFor('/exact/')).toBeUndefined()
    expect(clusterFor('/EXACT')).toBeUndefined()
  })

  test('caseSensitive: false applies to path and prefix', () => {
    expect(clusterFor('/loose')).toBe('loose-path')
    expect(clusterFor('/LOOSE')).toBe('loose-path')
    expect(clusterFor('/case/x')).toBe('loose-prefix')
    expect(clusterFor('/Case')).toBe('loose-prefix')
  })

  test('prefix matching is case-sensitive by default', () => {
    expect(clusterFor('/Service/1')).toBeUndefined()
  })

  test('safeRegex must match the whole path', () => {
    expect(clusterFor('/items/42')).toBe('regex')
    expect(clusterFor('/items/42/more')).toBeUndefined()
    expect(clusterFor('/x/items/42')).toBeUndefined()
  })
})

describe('RouteTable: ordering and headers', () => {
  const table = new RouteTable([
    vhost('front', ['*'], [
      route(
        {
          prefix: '/api',
          headers: [
            { name: 'x-canary', invert: false, kind: 'exact', value: 'yes' },
            { name: 'x-debug', invert: true, kind: 'present', value: true },
          ],
        },
        { cluster: 'canary' },
      ),
      route({ prefix: '/api' }, { cluster: 'stable' }),
      route({ prefix: '/api/special' }, { cluster: 'never' }),
      route({ prefix: '/' }, { cluster: 'catch-all' }),
    ]),
  ])
  const clusterFor = (path: string, headers: Record<string, string> = {}) =>
    table.match(request(path, { headers: new Headers(headers) }))?.cluster

  test('first match wins, even when a later route is more specific', () => {
    expect(clusterFor('/api/special')).toBe('stable')
    expect(clusterFor('/other')).toBe('catch-all')
  })

  test('every header matcher must match', () => {
    expect(clusterFor('/api', { 'x-canary': 'yes' })).toBe('canary')
    expect(clusterFor('/api', { 'x-canary': 'yes', 'x-debug': '1' })).toBe('stable')
    expect(clusterFor('/api', { 'x-canary': 'no' })).toBe('stable')
  })
})

describe('RouteTable: virtual hosts', () => {
  const table = new RouteTable([
    vhost('catch-all', ['*'], [route({ prefix: '/' }, { cluster: 'default' })]),
    vhost('api', ['api.example.com', 'api.example.com:8443'], [route({ prefix: '/v1' }, { cluster: 'api' })]),
  ])

  test('the virtual host is chosen by authority before routes are tried', () => {
    const hit = table.match(request('/v1/x', { authority: 'API.example.com:8000' }))
    expect(hit?.virtualHost.name).toBe('api')
    expect(hit?.cluster).toBe('api')
    expect(table.match(request('/v1/x', { authority: 'other.test' }))?.cluster).toBe('default')
  })

  test('no route in the chosen virtual host means no match (no fall-through to `*`)', () => {
    expect(table.match(request('/v2', { authority: 'api.example.com' }))).toBeUndefined()
  })

  test('no virtual host means no match', () => {
    const empty = new RouteTable([vhost('only', ['only.test'], [route({ prefix: '/' })])])
    expect(empty.match(request('/', { authority: 'elsewhere.test' }))).toBeUndefined()
  })
})

describe('RouteTable: rewrite', () => {
  const table = new RouteTable([
    vhost('front', ['*'], [
      route({ prefix: '/service/1' }, { prefixRewrite: '/', cluster: 'a' }),
      route({ prefix: '/strip/' }, { prefixRewrite: '/v2/', cluster: 'b' }),
      route({ prefix: '/CI', caseSensitive: false }, { prefixRewrite: '/ci', cluster: 'b' }),
      route({ path: '/old' }, { prefixRewrite: '/new', cluster: 'c' }),
      route({ safeRegex: '/re/.*' }, { prefixRewrite: '/regex', cluster: 'c' }),
      route({ prefix: '/' }, { cluster: 'plain' }),
    ]),
  ])
  const upstreamPath = (path: string, query = '') => table.match(request(path, { query }))?.upstreamPath

  test('prefix rewrite replaces only the matched prefix and keeps the query', () => {
    expect(upstreamPath('/service/1', 'x=1&y=2')).toBe('/?x=1&y=2')
    expect(upstreamPath('/service/10')).toBe('/0')
    expect(upstreamPath('/strip/a/b', 'q')).toBe('/v2/a/b?q')
    expect(upstreamPath('/ci/Rest')).toBe('/ci/Rest')
    expect(upstreamPath('/Ci/Rest')).toBe('/ci/Rest')
  })

  test('path and regex routes rewrite the whole path', () => {
    expect(upstreamPath('/old', 'k=v')).toBe('/new?k=v')
    expect(upstreamPath('/re/deep/path')).toBe('/regex')
  })

  test('without a rewrite the path and query pass through', () => {
    expect(upstreamPath('/x/y', 'a=1')).toBe('/x/y?a=1')
    expect(upstreamPath('/x/y', '?a=1')).toBe('/x/y?a=1')
    expect(upstreamPath('/x/y')).toBe('/x/y')
  })
})

describe('RouteTable: weighted clusters', () => {
  const weighted = (random: () => number) =>
    new RouteTable(
      [
        vhost('front', ['*'], [
          route(
            { prefix: '/' },
            { cluster: undefined, weightedClusters: [{ name: 'blue', weight: 80 }, { name: 'none', weight: 0 }, { name: 'green', weight: 20 }] },
          ),
        ]),
      ],
      random,
    )

  test('the split follows the weights (seeded random, 10 000 picks)', () => {
    const table = weighted(seeded(42))
    const counts: Record<string, number> = {}
    for (let i = 0; i < 10_000; i++) {
      const cluster = table.match(request('/'))?.cluster ?? 'missing'
      counts[cluster] = (counts[cluster] ?? 0) + 1
    }
    expect(counts.none).toBeUndefined()
    expect(counts.missing).toBeUndefined()
    expect(counts.blue).toBeGreaterThan(7_700)
    expect(counts.blue).toBeLessThan(8_300)
    expect((counts.blue ?? 0) + (counts.green ?? 0)).toBe(10_000)
  })

  test('boundaries: the random value picks by cumulative weight', () => {
    expect(weighted(() => 0).match(request('/'))?.cluster).toBe('blue')
    expect(weighted(() => 0.7999).match(request('/'))?.cluster).toBe('blue')
    expect(weighted(() => 0.8).match(request('/'))?.cluster).toBe('green')
    expect(weighted(() => 0.9999999).match(request('/'))?.cluster).toBe('green')
  })

  test('a plain cluster route never calls random', () => {
    const table = new RouteTable([vhost('front', ['*'], [route({ prefix: '/' }, { cluster: 'only' })])], () => {
      throw new Error('random called')
    })
    expect(table.match(request('/'))?.cluster).toBe('only')
  })
})
