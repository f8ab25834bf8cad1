// The runtime-neutral HTTP/1.1 upstream client (src/http1) on Bun's transport against scripted
// loopback upstreams: keep-alive reuse without pipelining, the stale keep-alive retry (only when
// safe), chunked and close-delimited bodies, lying lengths, resets, aborts, connect refused and
// connect timeout. Deno's transport runs the same scenarios through edgeway in deno-upstream-client.

import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { bunRuntime } from '../../src/adapter/bun.ts'
import { bunDial } from '../../src/adapter/bun-transport.ts'
import { createHttp1Client, type Http1Client } from '../../src/http1/client.ts'
import type { UpstreamRequest } from '../../src/runtime.ts'
import { StatsStore } from '../../src/stats/stats-store.ts'
import { parseConfig } from '../../src/config/load-config.ts'
import { startEdgeway } from '../../src/server.ts'
import { frontProxyYaml } from '../support/edgeway.ts'
import { startBlackHole, unusedPort } from '../support/sockets.ts'
import { answered, okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

let upstream: ScriptedUpstream | undefined
let client: Http1Client = createHttp1Client({ dial: bunDial })

afterEach(async () => {
  client.close()
  client = createHttp1Client({ dial: bunDial })
  await upstream?.stop()
  upstream = undefined
})
afterAll(() => client.close())

function request(port: number, init: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { url: `http://127.0.0.1:${port}/path?q=1`, method: 'GET', headers: new Headers({ host: 'service1' }), body: null, signal: new AbortController().signal, ...init }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

describe('keep-alive', () => {
  test('sequential requests share one connection; concurrent ones get their own, never pipelined', async () => {
    upstream = await startScriptedUpstream((r, socket) => setTimeout(() => reply(socket, okResponse(`#${r.onConnection}`)), 5))
    for (let i = 1; i <= 3; i++) expect(await (await client.fetch(request(upstream.port))).text()).toBe(`#${i}`)
    expect(upstream.connections()).toBe(1)
    const bodies = await Promise.all(Array.from({ length: 4 }, async () => (await client.fetch(request(upstream!.port))).text()))
    expect(bodies.length).toBe(4)
    expect(upstream.connections()).toBe(4)
    expect(upstream.pipelined()).toBe(0)
    expect(client.idleConnections(`127.0.0.1:${upstream.port}`)).toBe(4)
  })

  test('Host is sent as given, with the request target and method', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, okResponse('ok')))
    await (await client.fetch(request(upstream.port, { method: 'DELETE' }))).text()
    expect(upstream.requests()[0]!.head).toBe('DELETE /path?q=1 HTTP/1.1\r\nhost: service1')
  })

  test('a reused connection the upstream closed before answering: an idempotent request is retried once on a fresh one', async () => {
    // The classic race: the upstream drops its idle connection just as the next request goes out.
    upstream = await startScriptedUpstream((r, socket) => (r.onConnection === 2 ? socket.destroy() : reply(socket, okResponse(`conn ${r.connection}`))))
    expect(await (await client.fetch(request(upstream.port))).text()).toBe('conn 1')
    const retried = await client.fetch(request(upstream.port, { method: 'PUT', body: new TextEncoder().encode('again') }))
    expect(await retried.text()).toBe('conn 2')
    expect(upstream.connections()).toBe(2)
    expect(new TextDecoder().decode(upstream.requests()[2]!.body)).toBe('again')
  })

  test('the same race for a POST is a reset, never a resend: the upstream may have acted on it', async () => {
    upstream = await startScriptedUpstream((r, socket) => (r.onConnection === 2 ? socket.destroy() : reply(socket, okResponse('ok'))))
    await (await client.fetch(request(upstream.port))).text()
    const error = await failure(client.fetch(request(upstream.port, { method: 'POST', body: new TextEncoder().encode('once') })))
    expect(bunRuntime.classifyUpstreamError(error)).toBe('reset')
    expect(upstream.connections()).toBe(1)
    expect(upstream.requests().filter((r) => r.head.startsWith('POST')).length).toBe(1)
  })

  test('a streamed body cannot be replayed: the stale connection is a reset', async () => {
    upstream = await startScriptedUpstream((r, socket) => (r.onConnection === 2 ? socket.destroy() : reply(socket, okResponse('ok'))))
    await (await client.fetch(request(upstream.port))).text()
    const body = new Response('streamed').body!
    const error = await failure(client.fetch(request(upstream.port, { method: 'POST', body })))
    expect(bunRuntime.classifyUpstreamError(error)).toBe('reset')
    expect(upstream.connections()).toBe(1)
  })

  test('connection: close from the upstream: the next request opens a new connection', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, okResponse('bye', 'connection: close\r\n')))
    for (let i = 0; i < 2; i++) expect(await (await client.fetch(request(upstream.port))).text()).toBe('bye')
    expect(upstream.connections()).toBe(2)
  })
})

describe('response bodies', () => {
  test('chunked, in pieces: the body is reassembled and the connection reused', async () => {
    upstream = await startScriptedUpstream((_r, socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel')
      setTimeout(() => socket.write('lo\r\n6;x=y\r\n world\r\n'), 10)
      setTimeout(() => reply(socket, '0\r\n\r\n'), 20)
    })
    for (let i = 0; i < 2; i++) expect(await (await client.fetch(request(upstream.port))).text()).toBe('hello world')
    expect(upstream.connections()).toBe(1)
  })

  test('close-delimited body ends with the connection', async () => {
    upstream = await startScriptedUpstream((_r, socket) => {
      answered(socket)
      socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')
    })
    expect(await (await client.fetch(request(upstream.port))).text()).toBe('until the end')
  })

  test('gzip bytes and HEAD pass untouched', async () => {
    const gzip = Bun.gzipSync(new TextEncoder().encode('compressed'))
    upstream = await startScriptedUpstream((r, socket) => {
      const head = `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gzip.byteLength}\r\n\r\n`
      reply(socket, r.head.startsWith('HEAD') ? head : Buffer.concat([Buffer.from(head), gzip]))
    })
    const got = await client.fetch(request(upstream.port))
    expect(got.headers.get('content-encoding')).toBe('gzip')
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(gzip)
    const head = await client.fetch(request(upstream.port, { method: 'HEAD' }))
    expect(head.headers.get('content-length')).toBe(String(gzip.byteLength))
    expect(await head.text()).toBe('')
    expect(upstream.connections()).toBe(1)
  })

  test('longer than declared: the declared bytes only, and the connection is not reused', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokTRAILING-GARBAGE'))
    expect(await (await client.fetch(request(upstream.port))).text()).toBe('ok')
    expect(await (await client.fetch(request(upstream.port))).text()).toBe('ok')
    expect(upstream.connections()).toBe(2)
  })

  test('shorter than declared, then closed: the body fails (a reset after headers)', async () => {
    upstream = await startScriptedUpstream((_r, socket) => {
      answered(socket)
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort')
    })
    const response = await client.fetch(request(upstream.port))
    expect(response.status).toBe(200)
    expect(bunRuntime.classifyUpstreamError(await failure(response.text()))).toBe('reset')
  })

  test('reset mid-body of a large response: headers arrive, then the body stream errors', async () => {
    upstream = await startScriptedUpstream((_r, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${4 * 1024 * 1024}\r\n\r\n`)
      socket.write(Buffer.alloc(256 * 1024, 0x61))
      setTimeout(() => socket.resetAndDestroy(), 20)
    })
    const response = await client.fetch(request(upstream.port))
    expect(response.headers.get('content-length')).toBe(String(4 * 1024 * 1024))
    await failure(response.arrayBuffer())
  })

  test('a 4 MiB body read slowly arrives intact and in order', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024)
    for (let i = 0; i < big.byteLength; i++) big[i] = i % 251
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${big.byteLength}\r\n\r\n`), big])))
    const response = await client.fetch(request(upstream.port))
    const reader = response.body!.getReader()
    const parts: Uint8Array[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      parts.push(r.value)
      if (parts.length % 16 === 0) await Bun.sleep(1)
    }
    expect(Buffer.concat(parts).equals(big)).toBe(true)
  })
})

describe('request bodies', () => {
  test('bytes with content-length; streams chunked, or with their declared content-length', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, okResponse('ok')))
    const big = new Uint8Array(3 * 1024 * 1024).fill(0x62)
    await (await client.fetch(request(upstream.port, { method: 'PUT', body: big }))).text()
    await (await client.fetch(request(upstream.port, { method: 'POST', body: new Blob([big]).stream() }))).text()
    const headers = new Headers({ host: 'service1', 'content-length': '5' })
    await (await client.fetch(request(upstream.port, { method: 'POST', headers, body: new Response('12345').body! }))).text()
    const [bytes, chunked, sized] = upstream.requests()
    expect(bytes!.head).toContain(`content-length: ${big.byteLength}`)
    expect(bytes!.body.byteLength).toBe(big.byteLength)
    expect(chunked!.head).toContain('transfer-encoding: chunked')
    expect(Buffer.from(chunked!.body).equals(Buffer.from(big))).toBe(true)
    expect(sized!.head).toContain('content-length: 5')
    expect(new TextDecoder().decode(sized!.body)).toBe('12345')
    expect(upstream.connections()).toBe(1)
  })
})

describe('failures', () => {
  test('connection refused is a connect failure', async () => {
    const error = await failure(client.fetch(request(await unusedPort())))
    expect(bunRuntime.classifyUpstreamError(error)).toBe('connect')
  })

  test('reset before the response head is a reset', async () => {
    upstream = await startScriptedUpstream((_r, socket) => socket.resetAndDestroy())
    expect(bunRuntime.classifyUpstreamError(await failure(client.fetch(request(upstream.port))))).toBe('reset')
  })

  test('abort while waiting: rejects with the signal reason and drops the connection', async () => {
    let closed = false
    upstream = await startScriptedUpstream((_r, socket) => socket.on('close', () => (closed = true)))
    const controller = new AbortController()
    const pending = client.fetch(request(upstream.port, { signal: controller.signal }))
    await Bun.sleep(20)
    controller.abort('gone')
    expect(await failure(pending)).toBe('gone')
    await Bun.sleep(20)
    expect(closed).toBe(true)
  })

  test('connect_timeout: a listener whose accept queue is full never completes the handshake', async () => {
    const hole = await startBlackHole()
    try {
      const port = hole.port
      const started = performance.now()
      const error = await failure(client.fetch(request(port, { connectTimeoutMs: 200 })))
      const elapsed = performance.now() - started
      expect((error as { code?: string }).code).toBe('ConnectTimeout')
      expect(bunRuntime.classifyUpstreamError(error)).toBe('connect')
      expect(elapsed).toBeGreaterThanOrEqual(190)
      expect(elapsed).toBeLessThan(1500)
    } finally {
      hole.stop()
    }
  })
})

describe('protocol errors and invalid requests', () => {
  test('a status outside 100-599 is a protocol error, not a TypeError; the endpoint is not reused', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, 'HTTP/1.1 999 Weird\r\ncontent-length: 0\r\n\r\n'))
    const error = await failure(client.fetch(request(upstream.port)))
    expect(error).toMatchObject({ failure: 'protocol', code: 'ProtocolError' })
    expect(bunRuntime.classifyUpstreamError(error)).toBe('protocol')
    expect(client.idleConnections()).toBe(0)
  })

  test('a streamed body declaring "3, 3" is never written: not even a connection is opened', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, okResponse('ok')))
    const headers = new Headers({ host: 'service1', 'content-length': '3, 3' })
    const error = await failure(client.fetch(request(upstream.port, { method: 'POST', headers, body: new Response('abcabc').body! })))
    expect(bunRuntime.classifyUpstreamError(error)).toBe('local')
    await Bun.sleep(20)
    expect(upstream.connections()).toBe(0)
  })
})

describe('through the proxy', () => {
  test('an upstream answering status 999: 503 with the protocol error detail, counted as one', async () => {
    upstream = await startScriptedUpstream((_r, socket) => reply(socket, 'HTTP/1.1 999 Weird\r\ncontent-length: 0\r\n\r\n'))
    const config = parseConfig(frontProxyYaml([{ address: '127.0.0.1', port: upstream.port }]), 'test.yaml', { env: () => undefined })
    const stats = new StatsStore()
    const lines: string[] = []
    const proxy = await startEdgeway(config, {
      runtime: { ...bunRuntime, upstreamFetch: client.fetch },
      version: 'test',
      commandLineOptions: {},
      stats,
      write: (line) => void lines.push(line),
    })
    try {
      const response = await fetch(`http://127.0.0.1:${proxy.ports.get('ingress_http')}/service/1`)
      expect(response.status).toBe(503)
      expect(await response.text()).toBe('upstream connect error or disconnect/reset before headers. reset reason: protocol error')
      expect(stats.get('cluster.service1.upstream_cx_protocol_error').value).toBe(1)
      expect(stats.get('http.ingress_http.downstream_rq_5xx').value).toBe(1)
    } finally {
      await proxy.stop()
    }
    // the access log is written a tick later
    for (let i = 0; i < 100 && lines.length === 0; i++) await Bun.sleep(10)
    expect(lines.join('')).toContain(' 503 UPE ')
  })

  test("the cluster's connect_timeout (0.25s) bounds the connect: 503 UF, counted as a connect failure", async () => {
    const hole = await startBlackHole()
    const config = parseConfig(frontProxyYaml([{ address: '127.0.0.1', port: hole.port }]), 'test.yaml', { env: () => undefined })
    const stats = new StatsStore()
    const proxy = await startEdgeway(config, {
      runtime: { ...bunRuntime, upstreamFetch: client.fetch },
      version: 'test',
      commandLineOptions: {},
      stats,
      write: () => {},
    })
    try {
      const started = performance.now()
      const response = await fetch(`http://127.0.0.1:${proxy.ports.get('ingress_http')}/service/1`)
      const elapsed = performance.now() - started
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('connection failure')
      expect(elapsed).toBeGreaterThanOrEqual(240)
      expect(elapsed).toBeLessThan(1500)
      expect(stats.get('cluster.service1.upstream_cx_connect_fail').value).toBe(1)
    } finally {
      await proxy.stop()
      hole.stop()
    }
  })
})

