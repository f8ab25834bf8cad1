// Warm start, on Bun and Deno: a listener accepts only once the clusters it routes to have had
// their first DNS answer (retried while DNS does not answer) and health checks; /ready says INITIALIZING
// meanwhile; past initial_fetch_timeout it starts anyway and says so.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { eventually, ProcessGroup } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const group = new ProcessGroup()
let dns: TestDnsServer
let app: Upstream

beforeAll(async () => {
  dns = await startDnsServer()
  app = await startUpstream({ handler: () => new Response('warm\n') })
})
afterAll(async () => {
  await group.stopAll()
  await dns.stop()
  await app.stop()
})

function yaml(name: string, listenPort: number, adminPort: number, fetchTimeout: string): string {
  return `
admin: { address: 127.0.0.1, port: ${adminPort} }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: ${listenPort}
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]
clusters:
  - name: app
    type: strict_dns
    dns_resolvers: ["${dns.server}"]
    initial_fetch_timeout: ${fetchTimeout}
    load_assignment: { endpoints: [{ address: ${name}, port: ${app.port} }] }
    health_checks: [{ interval: 5s, timeout: 1s, http_health_check: { path: /healthz } }]
`
}

for (const runtime of ['bun', 'deno'] as const) {
  test(`${runtime}: while DNS does not answer the listener is not bound and /ready is 503 INITIALIZING; the first request after is 200`, async () => {
    const name = `app-${runtime}.test`
    dns.setSilent(name, true)
    const [listenPort, adminPort] = [await unusedPort(), await unusedPort()]
    const child = group.spawn(['-c', group.write(`warm-${runtime}`, yaml(name, listenPort, adminPort, '30s')), '--concurrency', '1'], {}, runtime)
    const ready = await eventually('admin up', async () => {
      const response = await fetch(`http://127.0.0.1:${adminPort}/ready`)
      return { status: response.status, body: (await response.text()).trim() }
    }, 30_000)
    expect(ready).toEqual({ status: 503, body: 'INITIALIZING' })
    expect(await (await fetch(`http://127.0.0.1:${adminPort}/stats?filter=server.state`)).text()).toContain('server.state: 3')
    const refused = await fetch(`http://127.0.0.1:${listenPort}/`).then(() => false, () => true)
    expect(refused).toBe(true)
    // Retried while cold (250 ms after each failed lookup), not once per 5 s refresh period. Silence,
    // not SERVFAIL: Deno's node:dns reports SERVFAIL as ENOTFOUND, which reads as "no records".
    const asked = dns.queries(name)
    await eventually('DNS retried while cold', async () => (dns.queries(name) >= asked + 2 ? true : undefined), 10_000)
    dns.setSilent(name, false)
    dns.setRecords(name, ['127.0.0.1'])
    await child.waitFor('ingress_http on 127.0.0.1', 15_000)
    const first = await fetch(`http://127.0.0.1:${listenPort}/`)
    expect({ status: first.status, body: await first.text() }).toEqual({ status: 200, body: 'warm\n' })
    expect((await fetch(`http://127.0.0.1:${adminPort}/ready`)).status).toBe(200)
  }, 60_000)
}

test('past initial_fetch_timeout the listener starts anyway and says which cluster is cold', async () => {
  const name = 'never.test'
  dns.setSilent(name, true)
  const [listenPort, adminPort] = [await unusedPort(), await unusedPort()]
  const child = group.spawn(['-c', group.write('cold', yaml(name, listenPort, adminPort, '0.5s')), '--concurrency', '1'])
  await child.waitFor('ingress_http on 127.0.0.1', 15_000)
  expect(child.stdout()).toContain('listener ingress_http accepts before cluster(s) app finished warming (initial_fetch_timeout)')
  const response = await fetch(`http://127.0.0.1:${listenPort}/`)
  expect(response.status).toBe(503)
  expect(await (await fetch(`http://127.0.0.1:${adminPort}/stats?filter=init_fetch_timeout`)).text()).toContain('cluster.app.init_fetch_timeout: 1')
}, 30_000)
