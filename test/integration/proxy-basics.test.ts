// The front proxy's data path against real upstreams: prefix routing, headers both ways, bodies
// (content-length, chunked, gzip, 1 MiB streamed), every method including HEAD.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { gzipSync } from 'node:zlib'
import { request as httpRequest } from 'node:http'
import { frontProxyYaml, startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let service1: Upstream
let service10: Upstream
let proxy: TestProxy
const BIG = new Uint8Array(1024 * 1024).map((_, i) => i % 251)
const GZIPPED = gzipSync('hello gzip '.repeat(200))

beforeAll(async () => {
  service1 = await startUpstream({
    name: 'service1',
    handler: (request, received) => {
      const path = new URL(request.url).pathname
      if (path === '/service/1/big') return new Response(BIG, { headers: { 'content-type': 'application/octet-stream' } })
      if (path === '/service/1/gzip') return new Response(GZIPPED, { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } })
      if (path === '/service/1/hop')
        return new Response('hop', { headers: { connection: 'x-secret', 'x-secret': 'leak', 'keep-alive': 'timeout=5', server: 'upstream-server' } })
      return Response.json({ name: 'service1', ...received })
    },
  })
  service10 = await startUpstream({ name: 'service10' })
  const yaml = frontProxyYaml([{ address: '127.0.0.1', port: service1.port }], { listener: 'use_remote_address: true' }).replace(
    '          - match: { prefix: /service/1 }',
    `          - match: { prefix: /service/10 }
            route: { cluster: service10 }
          - match: { prefix: /rewrite/ }
            route: { cluster: service1, prefix_rewrite: /service/1/, host_rewrite_literal: rewritten.example }
          - match: { prefix: /service/1 }`,
  ) + `  - name: service10
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: ${service10.port} } ] }
`
  proxy = await startProxy(yaml)
})

afterAll(async () => {
  await proxy.stop()
  await service1.stop()
  await service10.stop()
})

describe('routing', () => {
  test('prefix is a plain string prefix, first match wins: /service/10 goes to its own route', async () => {
    const ten = await (await fetch(`${proxy.url()}/service/10`)).json()
    expect(ten.name).toBe('service10')
    // Envoy's prefix `/service/1` also matches `/service/1x` and `/service/100` when no earlier route claims them.
    const hundredth = await (await fetch(`${proxy.url()}/service/1x`)).json()
    expect(hundredth.name).toBe('service1')
  })

  test('prefix_rewrite keeps the query; host_rewrite sets Host and keeps the original in x-forwarded-host', async () => {
    const body = await (await fetch(`${proxy.url()}/rewrite/abc?q=1&r=2`, { headers: { host: 'front.example' } })).json()
    expect(body.path).toBe('/service/1/abc?q=1&r=2')
    expect(body.headers.host).toBe('rewritten.example')
    expect(body.headers['x-forwarded-host']).toBe('front.example')
  })

  test('no route: 404 with an empty body', async () => {
    const response = await fetch(`${proxy.url()}/nowhere`)
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('')
    expect(response.headers.get('server')).toBe('edgeway')
  })
})

describe('request headers', () => {
  test('Host is preserved, hop-by-hop and connection-listed headers are stripped, x-forwarded-* set', async () => {
    const body = await (
      await fetch(`${proxy.url()}/service/1/h`, {
        headers: { host: 'service1.example:8000', connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'x-keep': 'yes' },
      })
    ).json()
    expect(body.headers.host).toBe('service1.example:8000')
    expect(body.headers['x-drop-me']).toBeUndefined()
    expect(body.headers['keep-alive']).toBeUndefined()
    expect(body.headers.te).toBeUndefined()
    expect(body.headers['x-keep']).toBe('yes')
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1')
    expect(body.headers['x-forwarded-proto']).toBe('http')
    expect(body.headers['x-envoy-expected-rq-timeout-ms']).toBe('15000')
  })

  test('x-forwarded-for is appended to, client x-envoy-* control headers are dropped', async () => {
    const body = await (await fetch(`${proxy.url()}/service/1`, { headers: { 'x-forwarded-for': '203.0.113.9', 'x-envoy-max-retries': '9', 'x-envoy-retry-on': '5xx' } })).json()
    expect(body.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1')
    expect(body.headers['x-envoy-max-retries']).toBeUndefined()
    expect(body.headers['x-envoy-retry-on']).toBeUndefined()
  })

  test('x-request-id: a valid one is kept, a missing one generated as UUID v4, a malformed one replaced', async () => {
    const kept = await (await fetch(`${proxy.url()}/service/1`, { headers: { 'x-request-id': 'client-id-123' } })).json()
    expect(kept.headers['x-request-id']).toBe('client-id-123')
    const generated = await (await fetch(`${proxy.url()}/service/1`)).json()
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const replaced = await (await fetch(`${proxy.url()}/service/1`, { headers: { 'x-request-id': `bad id <script>${'x'.repeat(300)}` } })).json()
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('response headers', () => {
  test('hop-by-hop response headers are stripped, server overwritten, upstream service time added', async () => {
    const response = await fetch(`${proxy.url()}/service/1/hop`)
    expect(await response.text()).toBe('hop')
    expect(response.headers.get('x-secret')).toBeNull()
    expect(response.headers.get('keep-alive')).toBeNull()
    expect(response.headers.get('server')).toBe('edgeway')
    expect(Number(response.headers.get('x-envoy-upstream-service-time'))).toBeGreaterThanOrEqual(0)
  })
})

describe('bodies and methods', () => {
  test('content-length bodies reach the upstream for every method', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const body = await (await fetch(`${proxy.url()}/service/1/m`, { method, body: `payload-${method}` })).json()
      expect(body.method).toBe(method)
      expect(body.body).toBe(`payload-${method}`)
    }
  })

  test('HEAD gets headers and no body', async () => {
    const response = await fetch(`${proxy.url()}/service/1/head`, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    expect(service1.received.at(-1)!.method).toBe('HEAD')
  })

  test('chunked request bodies stream through', async () => {
    const { port } = new URL(proxy.url())
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/service/1/chunked', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let data = ''
        res.on('data', (c) => (data += c))
        res.on('end', () => resolve(data))
      })
      req.on('error', reject)
      req.write('part-one;')
      setTimeout(() => req.end('part-two'), 50)
    })
    expect(JSON.parse(text).body).toBe('part-one;part-two')
  })

  test('gzip bodies pass byte for byte with their content-encoding', async () => {
    const response = await fetch(`${proxy.url()}/service/1/gzip`, { decompress: false } as RequestInit)
    expect(response.headers.get('content-encoding')).toBe('gzip')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(GZIPPED))
  })

  test('a 1 MiB response streams through intact', async () => {
    const bytes = new Uint8Array(await (await fetch(`${proxy.url()}/service/1/big`)).arrayBuffer())
    expect(bytes.byteLength).toBe(BIG.byteLength)
    expect(bytes).toEqual(BIG)
  })
})
