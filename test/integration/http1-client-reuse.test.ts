// A pooled connection's next exchange reuses the last one's response reader and request writer
// (src/http1/exchange.ts): these check, on Bun's transport against scripted loopback upstreams,
// that each response on a reused connection is read as by a new reader (framing, interim count,
// a head in pieces), that a failed, aborted or stale exchange leaves nothing behind for the next
// one, and that a writer used for a streamed body writes the next request afresh. Never pipelined.

import { afterEach, describe, expect, test } from 'bun:test'
import { bunDial } from '../../src/adapter/bun-transport.ts'
import { createHttp1Client } from '../../src/http1/client.ts'
import { MAX_INTERIM_RESPONSES } from '../../src/http1/limits.ts'
import type { UpstreamRequest } from '../../src/runtime.ts'
import { answered, okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

let upstream: ScriptedUpstream | undefined
const client = createHttp1Client({ dial: bunDial })

afterEach(async () => {
  client.close()
  await upstream?.stop()
  upstream = undefined
})

function request(init: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { url: `http://127.0.0.1:${upstream!.port}/p`, method: 'GET', headers: new Headers({ host: 'svc' }), body: null, signal: new AbortController().signal, ...init }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

const INTERIM = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(MAX_INTERIM_RESPONSES)

describe('a reused connection reads every response afresh', () => {
  test('chunked, then interim responses up to the limit twice, a head in pieces, HEAD and 204, all on one connection', async () => {
    upstream = await startScriptedUpstream((r, socket) => {
      const n = r.onConnection
      if (n === 1) {
        socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel')
        setTimeout(() => reply(socket, 'lo\r\n0\r\n\r\n'), 5)
      } else if (n === 2 || n === 3) reply(socket, INTERIM + okResponse(`interim ${n}`)) // the count starts again per response
      else if (n === 4) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-le')
        setTimeout(() => reply(socket, 'ngth: 5\r\n\r\nsplit'), 5)
      } else if (n === 5) reply(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\n') // HEAD: no body follows
      else if (n === 6) reply(socket, 'HTTP/1.1 204 No Content\r\n\r\n')
      else reply(socket, okResponse('last'))
    })
    expect(await (await client.fetch(request())).text()).toBe('hello')
    expect(await (await client.fetch(request())).text()).toBe('interim 2')
    expect(await (await client.fetch(request())).text()).toBe('interim 3')
    expect(await (await client.fetch(request())).text()).toBe('split')
    const head = await client.fetch(request({ method: 'HEAD' }))
    expect([head.headers.get('content-length'), await head.text()]).toEqual(['40', ''])
    const empty = await client.fetch(request())
    expect([empty.status, await empty.text()]).toEqual([204, ''])
    expect(await (await client.fetch(request())).text()).toBe('last')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([1, 0])
  })

  test('a writer that streamed a body writes the next requests afresh: chunked, then bytes, then none', async () => {
    upstream = await startScriptedUpstream((r, socket) => reply(socket, okResponse(`#${r.onConnection}`)))
    const streamed = new Response('streamed body').body!
    expect(await (await client.fetch(request({ method: 'POST', body: streamed }))).text()).toBe('#1')
    expect(await (await client.fetch(request({ method: 'PUT', body: new TextEncoder().encode('bytes') }))).text()).toBe('#2')
    expect(await (await client.fetch(request())).text()).toBe('#3')
    const [first, second, third] = upstream.requests()
    expect(first!.head).toContain('transfer-encoding: chunked')
    expect(new TextDecoder().decode(first!.body)).toBe('streamed body')
    expect([second!.head.split('\r\n')[0], new TextDecoder().decode(second!.body)]).toEqual(['PUT /p HTTP/1.1', 'bytes'])
    expect([third!.head.split('\r\n')[0], third!.body.byteLength]).toEqual(['GET /p HTTP/1.1', 0])
    expect([upstream.connections(), upstream.pipelined()]).toEqual([1, 0])
  })
})

describe('after an exchange that failed, nothing is left for the next one', () => {
  test('aborted mid-body on a reused connection: that connection is dropped; the next requests share a fresh one', async () => {
    upstream = await startScriptedUpstream((r, socket) => {
      if (r.connection === 1 && r.onConnection === 2) {
        answered(socket)
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npart') // and never the rest
      } else reply(socket, okResponse(`conn ${r.connection}`))
    })
    expect(await (await client.fetch(request())).text()).toBe('conn 1')
    const controller = new AbortController()
    const cut = await client.fetch(request({ signal: controller.signal }))
    const body = cut.text()
    await Bun.sleep(10)
    controller.abort('gone')
    expect(await failure(body)).toBeDefined()
    for (let i = 0; i < 3; i++) expect(await (await client.fetch(request())).text()).toBe('conn 2')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([2, 0])
  })

  test('aborted before the head on a reused connection: the same', async () => {
    upstream = await startScriptedUpstream((r, socket) => {
      if (r.connection === 1 && r.onConnection === 2) return // never answered
      reply(socket, okResponse(`conn ${r.connection}`))
    })
    expect(await (await client.fetch(request())).text()).toBe('conn 1')
    const controller = new AbortController()
    const pending = client.fetch(request({ signal: controller.signal }))
    await Bun.sleep(10)
    controller.abort('gone')
    expect(await failure(pending)).toBe('gone')
    for (let i = 0; i < 3; i++) expect(await (await client.fetch(request())).text()).toBe('conn 2')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([2, 0])
  })

  test('a protocol error and a reset mid-body on reused connections: each is dropped, the next reads cleanly', async () => {
    upstream = await startScriptedUpstream((r, socket) => {
      if (r.connection === 1 && r.onConnection === 2) reply(socket, 'HTTP/1.1 999 Nope\r\ncontent-length: 0\r\n\r\n')
      else if (r.connection === 2 && r.onConnection === 2) {
        answered(socket)
        socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nab')
        setTimeout(() => socket.resetAndDestroy(), 5)
      } else reply(socket, okResponse(`conn ${r.connection}`))
    })
    expect(await (await client.fetch(request())).text()).toBe('conn 1')
    expect(await failure(client.fetch(request()))).toBeDefined()
    expect(await (await client.fetch(request())).text()).toBe('conn 2')
    const broken = await client.fetch(request())
    expect(await failure(broken.text())).toBeDefined()
    for (let i = 0; i < 2; i++) expect(await (await client.fetch(request())).text()).toBe('conn 3')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([3, 0])
  })

  test('a stale connection resent on a fresh one: the fresh one then carries the next requests', async () => {
    upstream = await startScriptedUpstream((r, socket) => (r.connection === 1 && r.onConnection === 2 ? socket.destroy() : reply(socket, okResponse(`conn ${r.connection} #${r.onConnection}`))))
    expect(await (await client.fetch(request())).text()).toBe('conn 1 #1')
    expect(await (await client.fetch(request())).text()).toBe('conn 2 #1')
    expect(await (await client.fetch(request())).text()).toBe('conn 2 #2')
    expect(await (await client.fetch(request())).text()).toBe('conn 2 #3')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([2, 0])
  })

  test('more bytes than declared: the connection is not reused, and the extra bytes never reach the next response', async () => {
    upstream = await startScriptedUpstream((r, socket) => reply(socket, r.connection === 1 ? okResponse('ok') + 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nforge' : okResponse(`conn ${r.connection}`)))
    expect(await (await client.fetch(request())).text()).toBe('ok')
    for (let i = 0; i < 2; i++) expect(await (await client.fetch(request())).text()).toBe('conn 2')
    expect([upstream.connections(), upstream.pipelined()]).toEqual([2, 0])
  })
})

describe('one signal for several exchanges (the proxy recycles the controllers of attempts that did not abort)', () => {
  test('an abort reaches the exchange using the signal now, not the ones it served before', async () => {
    upstream = await startScriptedUpstream((r, socket) => (r.onConnection <= 3 ? reply(socket, okResponse(`#${r.onConnection}`)) : undefined))
    const controller = new AbortController()
    for (let i = 1; i <= 3; i++) expect(await (await client.fetch(request({ signal: controller.signal }))).text()).toBe(`#${i}`)
    const pending = client.fetch(request({ signal: controller.signal })) // never answered
    await Bun.sleep(10)
    controller.abort('gone')
    expect(await failure(pending)).toBe('gone')
    expect(upstream.connections()).toBe(1)
  })

  test('two exchanges in flight on one signal: both fail on its abort; a finished one is not touched', async () => {
    upstream = await startScriptedUpstream((r, socket) => (r.connection === 1 && r.onConnection === 1 ? reply(socket, okResponse('done')) : undefined))
    const controller = new AbortController()
    const done = await client.fetch(request({ signal: controller.signal }))
    const first = client.fetch(request({ signal: controller.signal }))
    const second = client.fetch(request({ signal: controller.signal }))
    await Bun.sleep(10)
    controller.abort('gone')
    expect([await failure(first), await failure(second)]).toEqual(['gone', 'gone'])
    expect(await done.text()).toBe('done')
  })
})
