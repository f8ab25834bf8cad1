// The two ways an upstream body reaches the client (src/proxy/response-body.ts): small sized
// bodies read whole before the headers go out, bounded by the route timeout; larger or unsized
// bodies streamed. Either way the access log counts the bytes the client got. The upstream is a
// raw socket so it can stall or break mid-body on purpose.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as net from 'node:net'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { statusAndFlags, waitForLine } from '../support/access-log-lines.ts'
import { WHOLE_BODY_LIMIT_BYTES } from '../../src/proxy/response-body.ts'

const BIG = WHOLE_BODY_LIMIT_BYTES + 1000

/** Answers by path: /ok (sized, small), /big (sized, over the limit), /chunked, /stall, /break. */
function answer(path: string, socket: net.Socket): void {
  const head = (fields: string) => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${fields}\r\n`
  if (path.endsWith('/ok')) socket.end(head('content-length: 5\r\n') + 'hello')
  else if (path.endsWith('/big')) socket.end(head(`content-length: ${BIG}\r\n`) + 'x'.repeat(BIG))
  else if (path.endsWith('/chunked')) {
    socket.write(head('transfer-encoding: chunked\r\n') + '5\r\nhello\r\n')
    setTimeout(() => socket.end('6\r\n world\r\n0\r\n\r\n'), 50)
  } else if (path.endsWith('/stall')) socket.write(head('content-length: 20\r\n') + 'only ten b') // never finishes
  else if (path.endsWith('/break')) socket.write(head('content-length: 20\r\n') + 'only ten b', () => setTimeout(() => socket.destroy(), 50))
  else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
}

let upstream: net.Server
const sockets = new Set<net.Socket>()
let proxy: TestProxy

beforeAll(async () => {
  upstream = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let seen = ''
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1')
      if (!seen.includes('\r\n\r\n')) return
      answer(seen.split(' ')[1] ?? '', socket)
      seen = ''
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const port = (upstream.address() as net.AddressInfo).port
  proxy = await startProxy(`
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: any
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: raw, timeout: 0.3s }
clusters:
  - name: raw
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }
`)
})

afterAll(async () => {
  await proxy?.stop()
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => upstream?.close(() => resolve()))
})

describe('response bodies', () => {
  test('a small sized body arrives whole and the access log counts its bytes', async () => {
    const response = await fetch(`${proxy.url()}/ok`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('5')
    expect(await response.text()).toBe('hello')
    const line = await waitForLine(proxy.output, 'GET', '/ok')
    expect(statusAndFlags(line)).toEqual([200, '-'])
    expect(line).toContain('" 200 - 0 5 ')
  })

  test('a body over the whole-body limit streams through, counted', async () => {
    const response = await fetch(`${proxy.url()}/big`)
    expect((await response.text()).length).toBe(BIG)
    expect(await waitForLine(proxy.output, 'GET', '/big')).toContain(`" 200 - 0 ${BIG} `)
  })

  test('an unsized (chunked) body streams through, counted', async () => {
    const response = await fetch(`${proxy.url()}/chunked`)
    expect(await response.text()).toBe('hello world')
    expect(await waitForLine(proxy.output, 'GET', '/chunked')).toContain('" 200 - 0 11 ')
  })

  test('a small body that stalls past the route timeout: 504 UT, as Envoy times out the whole response', async () => {
    const before = proxy.stats.get('cluster.raw.upstream_rq_timeout').value
    const started = performance.now()
    const response = await fetch(`${proxy.url()}/stall`)
    expect(response.status).toBe(504)
    expect(await response.text()).toBe('upstream request timeout')
    expect(performance.now() - started).toBeLessThan(2_500)
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/stall'))).toEqual([504, 'UT'])
    expect(proxy.stats.get('cluster.raw.upstream_rq_timeout').value).toBe(before + 1)
  })

  test('a small body cut off by the upstream: 503 UR, and the proxy keeps serving', async () => {
    const response = await fetch(`${proxy.url()}/break`)
    expect(response.status).toBe(503)
    expect(statusAndFlags(await waitForLine(proxy.output, 'GET', '/break'))).toEqual([503, 'UR'])
    const next = await fetch(`${proxy.url()}/ok`)
    expect(await next.text()).toBe('hello')
  })
})
