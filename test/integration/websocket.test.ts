// WebSocket through edgeway with real clients (the runtime's WebSocket): text and binary both ways,
// close codes both ways, the upstream's refusal status, 403 on a route without websocket, 503 UH
// without an endpoint, a front proxy in front of a sidecar; Bun in-process and Deno as a child process.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { connect } from 'node:net'
import { startDnsServer } from '../support/dns-server.ts'

type Seen = { path: string; headers: Record<string, string>; closes: { code: number; reason: string }[] }
const seen: Seen[] = []
let upstream: ReturnType<typeof Bun.serve<Seen>>
const group = new ProcessGroup()

beforeAll(() => {
  // The upstream: echoes every message, closes with 4001 when told to, refuses /refuse with 403.
  upstream = Bun.serve<Seen>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request, server) {
      const url = new URL(request.url)
      if (url.pathname.endsWith('/refuse')) return new Response('go away', { status: 403 })
      const entry: Seen = { path: url.pathname + url.search, headers: Object.fromEntries(request.headers), closes: [] }
      seen.push(entry)
      if (server.upgrade(request, { data: entry })) return undefined
      return new Response(`plain ${url.pathname}`)
    },
    websocket: {
      message(ws, message) {
        if (message === 'close please') return ws.close(4001, 'bye from upstream')
        ws.send(typeof message === 'string' ? `echo: ${message}` : message)
      },
      close(ws, code, reason) {
        ws.data.closes.push({ code, reason })
      },
    },
  })
})

afterAll(async () => {
  await group.stopAll()
  upstream.stop(true)
})

const yaml = (port: number, name = 'ingress_http') => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ${name}
    address: 127.0.0.1
    port: 0
    upgrade_configs: [{ upgrade_type: websocket }]
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /plain }
            route: { cluster: service1, upgrade_configs: [{ upgrade_type: websocket, enabled: false }] }
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    connect_timeout: 1s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }
`

/** Opens a client socket and collects what it receives until it closes. */
function client(url: string, protocols?: string[]) {
  const socket = new WebSocket(url, protocols)
  socket.binaryType = 'arraybuffer'
  const received: (string | number[])[] = []
  const waiters: (() => void)[] = []
  socket.onmessage = (event) => {
    received.push(typeof event.data === 'string' ? event.data : [...new Uint8Array(event.data as ArrayBuffer)])
    waiters.splice(0).forEach((w) => w())
  }
  const opened = new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = (event) => reject(new Error(String((event as ErrorEvent).message)))
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (socket.onclose = (event) => resolve({ code: event.code, reason: event.reason })))
  const next = async (count: number) => {
    const deadline = Date.now() + 5000
    while (received.length < count && Date.now() < deadline) await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 100)))
    return received.slice(0, count)
  }
  return { socket, received, opened, closed, next }
}

async function exercise(base: string): Promise<void> {
  const ws = client(`${base}/chat?room=1`, ['chat.v1'])
  await ws.opened
  expect(ws.socket.protocol).toBe('chat.v1')
  ws.socket.send('hello')
  ws.socket.send(new Uint8Array([0, 1, 2, 255]))
  expect(await ws.next(2)).toEqual(['echo: hello', [0, 1, 2, 255]])
  ws.socket.close(4000, 'done here')
  expect(await ws.closed).toMatchObject({ code: 4000 })
  const entry = seen.at(-1)!
  expect(entry.path).toBe('/chat?room=1')
  expect(entry.headers['x-forwarded-proto']).toBe('http')
  expect(entry.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  for (let i = 0; i < 50 && entry.closes.length === 0; i++) await Bun.sleep(20)
  expect(entry.closes).toEqual([{ code: 4000, reason: 'done here' }])

  // The upstream closes first: its code and reason reach the client.
  const second = client(`${base}/chat`)
  await second.opened
  second.socket.send('close please')
  expect(await second.closed).toEqual({ code: 4001, reason: 'bye from upstream' })

  // The upstream refuses the upgrade: its status reaches the client.
  expect(await upgradeStatus(Number(new URL(base).port), '/x/refuse')).toBe(403)
}

/** Sends an upgrade request on a raw socket; the status of the answer's head (Deno keeps the connection open after it). */
function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(upgradeRequest(path)))
    let head = ''
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no answer head: ${JSON.stringify(head)}`))), 5000)
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      clearTimeout(timer)
      socket.destroy()
      resolve(Number(head.slice(9, 12)))
    })
    socket.on('error', reject)
  })
}

const upgradeRequest = (path: string) =>
  `GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`

describe('WebSocket on Bun (in-process)', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy(yaml(upstream.port!))
  })
  afterAll(() => proxy.stop())

  test('echo both ways (text, binary), subprotocol, close codes both ways, refusal status passed through', async () => {
    await exercise(proxy.url().replace('http:', 'ws:'))
    const stats = await (await fetch(`${proxy.adminUrl()}/stats?filter=upgrades_total`)).text()
    expect(stats).toContain('http.ingress_http.downstream_cx_upgrades_total: 2')
    // One access-log line per upgraded stream, written when it ended, with 101.
    const lines = () => proxy.output().split('\n').filter((line) => line.includes('"GET /chat'))
    for (let i = 0; i < 50 && lines().length < 2; i++) await Bun.sleep(20)
    expect(lines()).toHaveLength(2)
    expect(lines()[0]).toContain('" 101 ')
  })

  test('an Upgrade on a route without websocket is 403, counted as Envoy counts it, and never reaches the upstream', async () => {
    const before = seen.length
    const refused = async () => Number(/downstream_rq_ws_on_non_ws_route: (\d+)/.exec(await (await fetch(`${proxy.adminUrl()}/stats?filter=ws_on_non_ws`)).text())?.[1])
    const counted = await refused()
    expect(await upgradeStatus(proxy.ports.get('ingress_http')!, '/plain/ws')).toBe(403)
    expect(seen.length).toBe(before)
    expect(await refused()).toBe(counted + 1)
  })

  test('an endpoint that refuses connections is 503 UF', async () => {
    const dead = await startProxy(yaml(1))
    try {
      expect(await upgradeStatus(dead.ports.get('ingress_http')!, '/chat')).toBe(503)
      for (let i = 0; i < 50 && !dead.output().includes(' 503 UF '); i++) await Bun.sleep(20)
      expect(dead.output()).toContain(' 503 UF ')
    } finally {
      await dead.stop()
    }
  })

  test('through a front proxy and a sidecar (two edgeways in a row)', async () => {
    const sidecar = await startProxy(yaml(upstream.port!, 'sidecar'))
    const front = await startProxy(yaml(sidecar.ports.get('sidecar')!))
    try {
      await exercise(front.url().replace('http:', 'ws:'))
    } finally {
      await front.stop()
      await sidecar.stop()
    }
  })
})

describe('WebSocket on Deno (child process)', () => {
  test('echo both ways, close codes both ways, refusal status, 403 without websocket', async () => {
    const deno = await group.proxy('deno-ws', yaml(upstream.port!), {}, { runtime: 'deno' })
    await exercise(deno.url('ingress_http').replace('http:', 'ws:'))
    expect(await upgradeStatus(deno.port('ingress_http'), '/plain/ws')).toBe(403)
  }, 30_000)
})

describe('a WebSocket upgrade to a cluster without endpoints', () => {
  // A strict_dns name the resolver answers with no address: the cluster has no endpoint at all.
  const noEndpointYaml = (dnsServer: string) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    upgrade_configs: [{ upgrade_type: websocket }]
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: empty } }]
clusters:
  - name: empty
    type: strict_dns
    dns_resolvers: ["${dnsServer}"]
    load_assignment: { endpoints: [{ address: empty.test, port: 80 }] }
`
  test('is 503 UH on Bun and on Deno, one access-log line and one upstream_cx_none_healthy each, never a plain GET', async () => {
    const dns = await startDnsServer({ records: { 'empty.test': [] } })
    const bun = await startProxy(noEndpointYaml(dns.server))
    try {
      const deno = await group.proxy('deno-ws-uh', noEndpointYaml(dns.server), {}, { runtime: 'deno' })
      const runs = [
        [bun.ports.get('ingress_http')!, () => bun.output(), bun.ports.get('admin')!],
        [deno.port('ingress_http'), () => deno.process.stdout(), deno.port('admin')],
      ] as const
      for (const [port, output, adminPort] of runs) {
        expect(await upgradeStatus(port, '/chat')).toBe(503)
        const lines = () => output().split('\n').filter((line) => line.includes('"GET /chat'))
        for (let i = 0; i < 100 && lines().length === 0; i++) await Bun.sleep(20)
        expect(lines()).toHaveLength(1)
        expect(lines()[0]).toContain('" 503 UH ')
        // The cluster's pick counts it; the upgrade path once counted it a second time.
        const stats = await (await fetch(`http://127.0.0.1:${adminPort}/stats?filter=upstream_cx_none_healthy`)).text()
        expect(stats).toContain('cluster.empty.upstream_cx_none_healthy: 1\n')
      }
    } finally {
      await bun.stop()
      await dns.stop()
    }
  }, 30_000)
})
