// Every local reply edgeway sends instead of an upstream response, checked as Envoy sends it:
// status, body, and the response flag on the access-log line. One proxy instance takes every
// bad input in turn and must keep serving good requests after each.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { frontProxyYaml, startProxy, type TestProxy } from '../support/edgeway.ts'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { rawBody, rawExchange, rawStatus, startResettingUpstream, unusedEndpoint, type ResettingUpstream } from '../support/sockets.ts'
import { linesFor, statusAndFlags, waitForLine } from '../support/access-log-lines.ts'

const UF_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'

let dns: TestDnsServer
let echoUpstream: Upstream
let slowUpstream: Upstream
let resetting: ResettingUpstream
let proxy: TestProxy
let port: number
let goodRequests = 0

beforeAll(async () => {
  dns = await startDnsServer({ records: { 'empty.test': [] } })
  echoUpstream = await startUpstream({ name: 'echo' })
  // Longer than the route timeout below; stop(true) cuts the pending responses.
  slowUpstream = await startUpstream({ handler: () => new Promise((resolve) => setTimeout(() => resolve(new Response('late')), 3_000)) })
  resetting = await startResettingUpstream()
  const dead = await unusedEndpoint()
  proxy = await startProxy(`
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    max_request_bytes: 1024
    max_request_headers_kb: 8
    virtual_hosts:
      - name: any
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service1 }
          - match: { prefix: /uh }
            route: { cluster: empty_dns }
          - match: { prefix: /uf }
            route: { cluster: dead }
          - match: { prefix: /ut }
            route: { cluster: slow, timeout: 0.2s }
          - match: { prefix: /ur }
            route: { cluster: resetting }
  - name: named_host
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: only
        domains: ["service.example.com"]
        routes:
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${echoUpstream.port} }] }
  - name: empty_dns
    type: strict_dns
    dns_resolvers: ["${dns.server}"]
    load_assignment: { endpoints: [{ address: empty.test, port: 80 }] }
  - name: dead
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: ${dead.address}, port: ${dead.port} }] }
  - name: slow
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${slowUpstream.port} }] }
  - name: resetting
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${resetting.port} }] }
`)
  port = Number(new URL(proxy.url()).port)
})

afterAll(async () => {
  await proxy?.stop()
  await Promise.all([echoUpstream?.stop(), slowUpstream?.stop(), resetting?.stop(), dns?.stop()])
})

/** The same proxy still answers a good request through to the echo upstream. */
async function expectStillServing(): Promise<void> {
  const path = `/service/1/good-${++goodRequests}`
  const response = await fetch(proxy.url() + path)
  expect(response.status).toBe(200)
  expect(((await response.json()) as { path: string }).path).toBe(path)
  expect(statusAndFlags(await waitForLine(proxy.output, 'GET', path))).toEqual([200, '-'])
}

async function expectLocalReply(response: Response, status: number, body: string): Promise<void> {
  expect(response.status).toBe(status)
  expect(await response.text()).toBe(body)
  expect(response.headers.get('server')).toBe('edgeway')
  expect(response.headers.get('content-type')).toBe('text/plain')
  expect(response.headers.get('x-envoy-upstream-service-time')).toBeNull()
}

describe('local replies', () => {
  test('no route: 404 NR with an empty body', async () => {
    const response = await fetch(`${proxy.url()}/nowhere`)
    await expectLocalReply(response, 404, '')
    expect(response.headers.get('content-length')).toBe('0')
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/nowhere'))).toEqual([404, 'NR'])
    await expectStillServing()
  })

  test('unknown Host when the only virtual host names its domains: 404 NR', async () => {
    const known = await fetch(`${proxy.url('named_host')}/known`, { headers: { host: 'service.example.com' } })
    expect(known.status).toBe(200)
    await known.arrayBuffer()
    const response = await fetch(`${proxy.url('named_host')}/unknown-host`, { headers: { host: 'other.example.com' } })
    await expectLocalReply(response, 404, '')
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/unknown-host'))).toEqual([404, 'NR'])
    await expectStillServing()
  })

  test('a strict_dns cluster whose name resolves to nothing: 503 UH no healthy upstream', async () => {
    expect(dns.queries('empty.test')).toBeGreaterThan(0)
    const response = await fetch(`${proxy.url()}/uh/x`)
    await expectLocalReply(response, 503, 'no healthy upstream')
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/uh/x'))).toEqual([503, 'UH'])
    await expectStillServing()
  })

  test('nothing listening on the endpoint port: 503 UF connection failure', async () => {
    const response = await fetch(`${proxy.url()}/uf/x`)
    await expectLocalReply(response, 503, UF_BODY)
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/uf/x'))).toEqual([503, 'UF'])
    expect(proxy.stats.get('cluster.dead.upstream_cx_connect_fail').value).toBeGreaterThan(0)
    await expectStillServing()
  })

  test('an upstream slower than the route timeout: 504 UT upstream request timeout', async () => {
    const started = performance.now()
    const response = await fetch(`${proxy.url()}/ut/x`)
    await expectLocalReply(response, 504, 'upstream request timeout')
    // Well before the upstream's 3 s answer, however loaded the machine is.
    expect(performance.now() - started).toBeLessThan(2_500)
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/ut/x'))).toEqual([504, 'UT'])
    expect(proxy.stats.get('cluster.slow.upstream_rq_timeout').value).toBe(1)
    await expectStillServing()
  })

  test('an upstream that resets the connection before headers: 503 UR', async () => {
    const response = await fetch(`${proxy.url()}/ur/x`)
    expect(response.status).toBe(503)
    expect(await response.text()).toStartWith('upstream connect error or disconnect/reset before headers. reset reason: ')
    expect(resetting.accepted()).toBeGreaterThan(0)
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/ur/x'))).toEqual([503, 'UR'])
    await expectStillServing()
  })

  test('a content-length body over max_request_bytes: 413 Payload Too Large, logged', async () => {
    const response = await fetch(`${proxy.url()}/service/1/big-length`, { method: 'POST', body: 'x'.repeat(2048) })
    expect(response.status).toBe(413)
    expect(await response.text()).toBe('Payload Too Large')
    expect(response.headers.get('server')).toBe('edgeway')
    expect(statusAndFlags(await waitForLine(proxy.output, 'POST', '/service/1/big-length'))).toEqual([413, '-'])
    expect(echoUpstream.received.some((r) => r.path === '/service/1/big-length')).toBe(false)
    await expectStillServing()
  })

  test('a chunked body under max_request_bytes streams through', async () => {
    const answer = await rawExchange(port, chunkedPost('/service/1/small-chunked', 4, 128))
    expect(rawStatus(answer)).toBe(200)
    expect(JSON.parse(rawBody(answer)).body).toBe('y'.repeat(512))
  })

  test('a chunked body over max_request_bytes: 413 Payload Too Large, logged as 413 (not as an upstream failure)', async () => {
    const answer = await rawExchange(port, chunkedPost('/service/1/big-chunked', 8, 256))
    expect(rawStatus(answer)).toBe(413)
    expect(rawBody(answer)).toBe('Payload Too Large')
    const line = await waitForLine(proxy.output, 'POST', '/service/1/big-chunked')
    expect(statusAndFlags(line)).toEqual([413, '-'])
    expect(linesFor(proxy.output(), 'POST', '/service/1/big-chunked')).toHaveLength(1)
    await expectStillServing()
  })

  test('a header over max_request_headers_kb: 431', async () => {
    const response = await fetch(`${proxy.url()}/service/1/big-header`, { headers: { 'x-big': 'a'.repeat(9 * 1024) } })
    await expectLocalReply(response, 431, 'Request Header Fields Too Large')
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/service/1/big-header'))).toEqual([431, 'DPE'])
    expect(echoUpstream.received.some((r) => r.path === '/service/1/big-header')).toBe(false)
    await expectStillServing()
  })

  test('a garbage request line: 400 from the runtime, and the listener keeps serving', async () => {
    const answer = await rawExchange(port, 'HELLO THERE\r\n\r\n')
    expect(rawStatus(answer)).toBe(400)
    await expectStillServing()
  })
})

describe('retry on connect failure', () => {
  test('one dead and one live endpoint: every request succeeds on the live one, retries counted', async () => {
    const live = await startUpstream({ name: 'live' })
    const dead = await unusedEndpoint()
    const retrying = await startProxy(
      frontProxyYaml(
        [
          dead,
          { address: '127.0.0.1', port: live.port },
        ],
        { route: 'retry_policy: { retry_on: connect-failure, num_retries: 1 }' },
      ),
    )
    try {
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${retrying.url()}/service/1/r${i}`)
        statuses.push(response.status)
        await response.arrayBuffer()
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200])
      expect(live.received).toHaveLength(6)
      expect(retrying.stats.get('cluster.service1.upstream_rq_retry').value).toBeGreaterThan(0)
      expect(retrying.stats.get('cluster.service1.upstream_rq_retry_success').value).toBe(retrying.stats.get('cluster.service1.upstream_rq_retry').value)
      for (let i = 0; i < 6; i++) {
        const line = await waitForLine(retrying.output, 'GET', `/service/1/r${i}`)
        expect(statusAndFlags(line)).toEqual([200, '-'])
        expect(line).toEndWith(`"127.0.0.1:${live.port}"`)
      }
    } finally {
      await retrying.stop()
      await live.stop()
    }
  })
})

/** A chunked POST of `chunks` chunks of `size` bytes, closing the connection after the answer. */
function chunkedPost(path: string, chunks: number, size: number): string {
  const chunk = `${size.toString(16)}\r\n${'y'.repeat(size)}\r\n`
  return `POST ${path} HTTP/1.1\r\nHost: local\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.repeat(chunks)}0\r\n\r\n`
}
