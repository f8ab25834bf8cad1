// Regexes written by an attacker or a careless config, against real edgeway processes on Bun and
// Deno: a catastrophic /stats?filter= over thousands of stats, and a safe_regex route probed with
// a crafted path. Both answer quickly and the data plane keeps serving meanwhile.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

// Letters only: a backtracking engine's cost for ^(([a-z_.]+)*)*!$ doubles with each character of
// a run of [a-z_.], and these names are one run of ~40 (hours per name). RE2 is linear.
const CLUSTERS = 150
const letters = (n: number) => String.fromCharCode(97 + Math.floor(n / 26), 97 + (n % 26))
const EVIL_FILTER = '^(([a-z_.]+)*)*!$'
const EVIL_ROUTE = '/user/([a-z0-9]+-?)*/profile'
// With a backtracking engine ~30 such characters already cost seconds; this has ~600.
const CRAFTED_PATH = `/user/${'a1-'.repeat(100)}${'a'.repeat(300)}/profil`
// Generous for a loaded 2-core machine; the old engine needed hours (filter) and minutes (path).
const BOUND_MS = 15_000

const yaml = (upstreamPort: number) => `
node: { cluster: regex-test }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { safe_regex: { regex: "${EVIL_ROUTE}" } }
            route: { cluster: svc_${letters(0)} }
            request_headers_to_add: [ { header: { key: x-route, value: profile } } ]
          - match: { prefix: /, headers: [ { name: x-probe, safe_regex_match: { regex: "([a-z]+)*!" } } ] }
            route: { cluster: svc_${letters(1)} }
            request_headers_to_add: [ { header: { key: x-route, value: probe } } ]
          - match: { prefix: / }
            route: { cluster: svc_${letters(2)} }
            request_headers_to_add: [ { header: { key: x-route, value: catch-all } } ]
clusters:
${Array.from({ length: CLUSTERS }, (_, i) => `  - { name: svc_${letters(i)}, load_assignment: { endpoints: [ { address: 127.0.0.1, port: ${upstreamPort} } ] } }`).join('\n')}
`

async function timed(url: string, init?: RequestInit): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now()
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(BOUND_MS * 2) })
  const body = await response.text()
  return { status: response.status, body, ms: performance.now() - started }
}

let upstream: Upstream
const group = new ProcessGroup()

beforeAll(async () => {
  upstream = await startUpstream({ name: 'up' })
})

afterAll(async () => {
  await group.stopAll()
  await upstream?.stop()
}, 20_000)

for (const runtime of ['bun', 'deno'] as const) {
  describe(`hostile regexes on ${runtime}`, () => {
    let proxy: ProxyProcess
    beforeAll(async () => {
      proxy = await group.proxy(`regex-${runtime}`, yaml(upstream.port), {}, { runtime, startTimeoutMs: 30_000 })
    }, 40_000)

    test('/stats?filter=^(([a-z_.]+)*)*!$ over thousands of stats answers, and a request sent meanwhile is served', async () => {
      const all = (await timed(`${proxy.url('admin')}/stats`)).body.trimEnd().split('\n')
      expect(all.length).toBeGreaterThan(CLUSTERS * 10)
      const filters = Array.from({ length: 3 }, () => timed(`${proxy.url('admin')}/stats?filter=${encodeURIComponent(EVIL_FILTER)}`))
      const dataPlane = timed(`${proxy.url('ingress')}/service/1`)
      const [served, ...filtered] = await Promise.all([dataPlane, ...filters])
      expect(served.status).toBe(200)
      expect(served.ms).toBeLessThan(BOUND_MS)
      for (const result of filtered) {
        expect(result.status).toBe(200)
        expect(result.body).toBe('')
        expect(result.ms).toBeLessThan(BOUND_MS)
      }
      // A pattern whose compile alone would cost seconds (7 KB of x{1000}: 13 s, 400 MiB) is refused.
      const huge = await timed(`${proxy.url('admin')}/stats?filter=${encodeURIComponent('x{1000}'.repeat(1000))}`)
      expect(huge.status).toBe(400)
      expect(huge.body).toBe('Invalid regex: regex too long: 7000 characters, at most 512\n')
      expect(huge.ms).toBeLessThan(BOUND_MS)
      // The same engine still filters as a regex search (unanchored, as Envoy).
      const some = await timed(`${proxy.url('admin')}/stats?filter=${encodeURIComponent('svc_a[b]\\.upstream_rq_tot')}`)
      expect(some.body).toBe('cluster.svc_ab.upstream_rq_total: 0\n')
    }, 60_000)

    test('a crafted path against /user/([a-z0-9]+-?)*/profile and a crafted header: routed at once', async () => {
      const crafted = await timed(`${proxy.url('ingress')}${CRAFTED_PATH}`, { headers: { 'x-probe': 'a'.repeat(5000) } })
      expect(crafted.status).toBe(200)
      expect(crafted.ms).toBeLessThan(BOUND_MS)
      // It fell through both regex routes to the catch-all, path unchanged.
      expect(JSON.parse(crafted.body)).toMatchObject({ path: CRAFTED_PATH, headers: { 'x-route': 'catch-all' } })
      const profile = await timed(`${proxy.url('ingress')}/user/abc-42/profile`)
      expect(JSON.parse(profile.body).headers['x-route']).toBe('profile')
      const probe = await timed(`${proxy.url('ingress')}/x`, { headers: { 'x-probe': 'abc!' } })
      expect(JSON.parse(probe.body).headers['x-route']).toBe('probe')
    }, 60_000)
  })
}
