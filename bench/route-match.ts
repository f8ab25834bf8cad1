// Micro-bench of route matching: RouteTable.match for prefix, exact, regex and header-regex routes
// and a crafted path against a ReDoS-prone regex; then the engine alone on the same inputs, side by
// side in one run: a backtracking JS RegExp (what edgeway used before), re2js's testExact, and
// edgeway's SafeRegex. `bun bench/route-match.ts` (or `deno run -A bench/route-match.ts`); prints the
// median of several rounds in ns of CPU time per call (CPU, not wall time: a busy machine disturbs it less).

import { cpuUsage } from 'node:process'
import type { RouteConfig, RouteMatchConfig, VirtualHostConfig } from '../src/config/model.ts'
import { RE2JS } from 're2js'
import { compileSafeRegex, loadSafeRegex } from '../src/regex/safe-regex.ts'
import { RouteTable, type RouteRequest } from '../src/routing/route-table.ts'

// edgeway loads re2js on demand (before a config with a regex is applied); so does this bench.
await loadSafeRegex()

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
    websocket: undefined,
    hashPolicy: [],
    fault: undefined,
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
const vhost: VirtualHostConfig = { ...noRules, name: 'front', domains: ['*'], routes, retryPolicy: undefined, requireTls: 'none', fault: undefined } as VirtualHostConfig
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
  { name: 'crafted /user/(a1-)x12 a x12/profil', path: `/user/${'a1-'.repeat(12)}${'a'.repeat(12)}/profil`, cluster: undefined, iterations: 10 },
]

const rounds = Number(process.env.ROUNDS ?? 5)

/** Median CPU ns per call of `run` over `rounds` rounds of `iterations` calls. */
function measure(run: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) run()
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = cpuUsage()
    for (let i = 0; i < iterations; i++) run()
    const used = cpuUsage(start)
    samples.push(((used.user + used.system) * 1e3) / iterations)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]!
}

const show = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${ns.toFixed(0)} ns`)

console.log('RouteTable.match, CPU per request')
for (const c of cases) {
  const got = table.match(req(c.path))?.cluster
  if (got !== c.cluster) throw new Error(`${c.name}: expected ${c.cluster}, got ${got}`)
  const request = req(c.path)
  console.log(`  ${c.name.padEnd(44)} ${show(measure(() => table.match(request), c.iterations))}`)
}

const engines: { pattern: string; input: string; iterations: number }[] = [
  { pattern: '/user/([a-z0-9]+-?)*/profile', input: '/user/abc-def-42/profile', iterations: 200_000 },
  { pattern: '/api/v[0-9]+/items/[0-9]+', input: '/api/v2/items/123', iterations: 200_000 },
  { pattern: 'admin|ops', input: 'ops', iterations: 200_000 },
  { pattern: '/user/([a-z0-9]+-?)*/profile', input: `/user/${'a1-'.repeat(12)}${'a'.repeat(12)}/profil`, iterations: 10 },
]
console.log('\nwhole-match engines, CPU per call: JS RegExp (before) | re2js testExact | SafeRegex (now)')
for (const e of engines) {
  const js = new RegExp(`^(?:${e.pattern})$`)
  const re2 = RE2JS.compile(e.pattern)
  const safe = compileSafeRegex(e.pattern)
  const row = [measure(() => js.test(e.input), e.iterations), measure(() => re2.testExact(e.input), e.iterations * 10), measure(() => safe.matchesWhole(e.input), e.iterations * 10)]
  const label = `${e.pattern} on ${e.input.length > 24 ? `${e.input.slice(0, 21)}...` : e.input}`
  console.log(`  ${label.padEnd(58)} ${row.map(show).join(' | ')}`)
}
