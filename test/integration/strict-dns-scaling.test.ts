// `docker compose up --scale service1=3` without Docker: a real DNS server answers service1 with
// three loopback addresses where three upstreams listen; the front proxy spreads requests over all
// of them, picks up a fourth replica after a refresh and drains a removed one.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const ADDRESSES = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']
let replicas: Upstream[] = []
let dns: TestDnsServer
let proxy: TestProxy
let port = 0

beforeAll(async () => {
  // Every replica listens on the same port, as containers do; the first picks a free one.
  const first = await startUpstream({ address: ADDRESSES[0]!, name: ADDRESSES[0]! })
  port = first.port
  replicas = [first, ...(await Promise.all(ADDRESSES.slice(1).map((address) => startUpstream({ address, port, name: address }))))]
  dns = await startDnsServer({ records: { service1: ADDRESSES.slice(0, 3) }, ttlSeconds: 300 })
  proxy = await startProxy(`
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service1 }
clusters:
  - name: service1
    type: strict_dns
    lb_policy: round_robin
    connect_timeout: 0.25s
    dns_refresh_rate: 0.2s
    dns_resolvers: ["${dns.address}:${dns.port}"]
    load_assignment:
      endpoints:
        - { address: service1, port: ${port} }
`)
})

afterAll(async () => {
  await proxy.stop()
  await dns.stop()
  await Promise.all(replicas.map((r) => r.stop()))
})

async function spread(requests: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (let i = 0; i < requests; i++) {
    const body = await (await fetch(`${proxy.url()}/service/1`)).json()
    counts.set(body.name, (counts.get(body.name) ?? 0) + 1)
  }
  return counts
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('30 requests reach all three replicas evenly (round robin over every A record)', async () => {
  const counts = await spread(30)
  expect([...counts.keys()].sort()).toEqual(ADDRESSES.slice(0, 3))
  for (const n of counts.values()) expect(n).toBe(10)
  expect(proxy.stats.cluster('service1').membership_total.value).toBe(3)
})

test('a fourth record is picked up after the refresh', async () => {
  dns.setRecords('service1', ADDRESSES)
  await eventually(async () => proxy.stats.cluster('service1').membership_total.value === 4)
  const counts = await spread(40)
  expect([...counts.keys()].sort()).toEqual(ADDRESSES)
  for (const n of counts.values()) expect(n).toBe(10)
})

test('a removed record is drained', async () => {
  dns.setRecords('service1', ADDRESSES.slice(1))
  await eventually(async () => proxy.stats.cluster('service1').membership_total.value === 3)
  const counts = await spread(30)
  expect(counts.has(ADDRESSES[0]!)).toBe(false)
  expect(counts.size).toBe(3)
  expect(proxy.stats.cluster('service1').membership_change.value).toBeGreaterThanOrEqual(3)
})

test('a name that stops resolving leaves no endpoint: 503 UH, and the proxy keeps serving', async () => {
  dns.setRecords('service1', [])
  await eventually(async () => proxy.stats.cluster('service1').membership_total.value === 0)
  const response = await fetch(`${proxy.url()}/service/1`)
  expect(response.status).toBe(503)
  expect(await response.text()).toBe('no healthy upstream')
  dns.setRecords('service1', ADDRESSES.slice(0, 2))
  await eventually(async () => proxy.stats.cluster('service1').membership_total.value === 2)
  expect((await fetch(`${proxy.url()}/service/1`)).status).toBe(200)
})
