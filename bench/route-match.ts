// Micro-bench of route matching (RouteTable.match): the per-request cost of prefix, exact, regex
// and header-regex routes, and of a crafted path against a ReDoS-prone regex. `bun bench/route-match.ts`
// (or `deno run bench/route-match.ts`); prints the median of several rounds in ns per match.

import type { RouteConfig, RouteMatchConfig, VirtualHostConfig } from '../src/config/model.ts'
import { RouteTable, type RouteRequest } from '../src/routing/route-table.ts'

const noRules = { requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] }

function route(match: Partial<RouteMatchConfig>, cluster: string): RouteConfig {
  return {
    ...noRules,
    name: undefined,
    match: { caseSensitive: true, headers: [], ...match },
    cluster,
    weightedClusters: undefined,
    prefixRewrite: undefined,
    hostRewrite: undefined,
    timeoutMs: 15_000,
    idleTimeoutMs: 0,
    retryPolicy: undefined,
    operation: undefined,
  } as RouteConfig
}

const routes: RouteConfig[] = [
  route({ path: '/healthz' }, 'health'),
  route({ safeRegex: '/user/([a-z0-9]+-?)*/profile' }, 'profile'),
  route({ safeRegex: '/api/v[0-9]+/items/[0-9]+' }, 'items'),
  route({ prefix: '/admin', headers: [{ name: 'x-role', kind: 'regex', value: 'admin|ops', invert: false }] }, 'admin'),
  route({ prefix: '/service/1' }, 'service1'),
  route({ prefix: '/service/2' }, 'service2'),
]
const vhost: VirtualHostConfig = { ...noRules, name: 'front', domains: ['*'], routes, retryPolicy: undefined } as VirtualHostConfig
const table = new RouteTable([vhost])
const headers = new Headers({ 'x-role': 'ops' })
const req = (path: string): RouteRequest => ({ authority: 'localhost:8000', path, query: '', headers })

const cases: { name: string; path: string; cluster: string | undefined; iterations: number }[] = [
  { name: 'prefix /service/1 (after 2 regex routes)', path: '/service/1/trace/1', cluster: 'service1', iterations: 200_000 },
  { name: 'exact /healthz (first route)', path: '/healthz', cluster: 'health', iterations: 200_000 },
  { name: 'regex /user/…/profile hit', path: '/user/abc-def-42/profile', cluster: 'profile', iterations: 200_000 },
  { name: 'regex /api/v2/items/123 hit', path: '/api/v2/items/123', cluster: 'items', iterations: 200_000 },
  { name: 'header regex x-role: ops', path: '/admin/stats', cluster: 'admin', iterations: 200_000 },
  { name: 'no route (all 6 tried)', path: '/nothing/here', cluster: undefined, iterations: 200_000 },
  // Segments a backtracking engine can split many ways, then no "/profile": it tries them all.
  { name: 'crafted /user/(a1-)x12 a x12/profil', path: `/user/${'a1-'.repeat(12)}${'a'.repeat(12)}/profil`, cluster: undefined, iterations: 1 },
]

const rounds = Number(process.env.ROUNDS ?? 5)
for (const c of cases) {
  const got = table.match(req(c.path))?.cluster
  if (got !== c.cluster) throw new Error(`${c.name}: expected ${c.cluster}, got ${got}`)
  const request = req(c.path)
  for (let i = 0; i < Math.min(c.iterations, 20_000); i++) table.match(request)
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    for (let i = 0; i < c.iterations; i++) table.match(request)
    samples.push(((performance.now() - start) * 1e6) / c.iterations)
  }
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)]!
  console.log(`${c.name.padEnd(44)} ${median >= 1e6 ? `${(median / 1e6).toFixed(1)} ms` : `${median.toFixed(0)} ns`}`)
}
