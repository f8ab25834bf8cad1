import { describe, expect, test } from 'bun:test'
import type { UpstreamRequest } from '../runtime.ts'
import { createHttp1Client } from './client.ts'
import type { Transport, TransportEvents } from './transport.ts'
import { UpstreamError } from './upstream-error.ts'
import { bodyEndOf } from '../upstream/body-end.ts'
import { isHopByHopFree } from '../upstream/hop-by-hop-free.ts'
import { wholeBodyOf } from '../upstream/whole-body.ts'

const text = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes)
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))

/** An in-memory connection: records what the client writes, lets the test play the upstream. */
class FakeTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  destroyed = false
  paused = false
  writes: Uint8Array[] = []
  /** write() answers this; the test fires drain() itself. */
  accept = true
  written = () => this.writes.map(text).join('')
  write(b: Uint8Array): boolean {
    this.writes.push(b)
    return this.accept
  }
  pause() {
    this.paused = true
  }
  resume() {
    this.paused = false
  }
  destroy() {
    this.closed = this.destroyed = true
    this.events = undefined
  }
  reply(wire: string) {
    this.events?.data(bytes(wire))
  }
  peerClose(error?: Error) {
    this.closed = true
    const events = this.events
    this.events = undefined
    events?.close(error)
  }
}

function setup() {
  const transports: FakeTransport[] = []
  const client = createHttp1Client({
    dial: async () => {
      const t = new FakeTransport()
      transports.push(t)
      return t
    },
  })
  const fetch = (init: Partial<UpstreamRequest> = {}) =>
    client.fetch({ url: 'http://10.0.0.1:8080/p', method: 'GET', headers: new Headers({ host: 'svc' }), body: null, signal: new AbortController().signal, ...init })
  const next = async (n: number) => {
    while (transports.length < n) await Bun.sleep(1)
    const t = transports[n - 1]!
    while (!t.events) await Bun.sleep(1)
    return t
  }
  return { client, fetch, transports, next }
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof UpstreamError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

/** Warms one pooled connection, then fails the next exchange on it before any response byte. */
async function staleRace(method: string, body: BodyInit | null) {
  const s = setup()
  const first = s.fetch()
  ;(await s.next(1)).reply(OK)
  expect(await (await first).text()).toBe('ok')
  const second = s.fetch({ method, body })
  const pooled = await s.next(1)
  await Bun.sleep(1)
  const sentOnPooled = pooled.written()
  pooled.peerClose()
  return { ...s, second, sentOnPooled }
}

describe('the request target', () => {
  // As ab-cost's: a cluster endpoint's connections that count nothing, so the pool knows the URL's endpoint.
  const connections = { tryOpen: () => true, connected() {}, closed() {}, tryQueue: () => true, dequeued() {}, received() {}, sent() {}, connectFailed() {} } as unknown as UpstreamRequest['connections']

  test("the attempt's own path once the pool knows the endpoint; an empty one goes out as /, as the URL reads", async () => {
    const s = setup()
    const lines: string[] = []
    const sends: Partial<UpstreamRequest>[] = [
      { url: 'http://10.0.0.1:8080/a?b=1', path: '/a?b=1' }, // no pool yet: the URL parsed
      { url: 'http://10.0.0.1:8080/a?b=1', path: '/a?b=1' },
      { url: 'http://10.0.0.1:8080', path: '' },
      { url: 'http://10.0.0.1:8080/c' }, // no path apart: cut from the URL
    ]
    for (const init of sends) {
      const pending = s.fetch({ ...init, connections })
      const t = await s.next(1)
      t.reply(OK)
      await (await pending).arrayBuffer()
      lines.push(t.written().split('\r\n').filter((line) => line.startsWith('GET ')).pop()!)
    }
    expect(s.transports).toHaveLength(1)
    expect(lines).toEqual(['GET /a?b=1 HTTP/1.1', 'GET /a?b=1 HTTP/1.1', 'GET / HTTP/1.1', 'GET /c HTTP/1.1'])
  })
})

describe('stale keep-alive retry', () => {
  test('an idempotent request with a replayable body goes again once on a fresh connection', async () => {
    const { second, next, transports } = await staleRace('PUT', bytes('data'))
    const fresh = await next(2)
    expect(fresh.written()).toContain('PUT /p HTTP/1.1')
    expect(fresh.written()).toEndWith('\r\n\r\ndata')
    fresh.reply(OK)
    expect((await second).status).toBe(200)
    expect(transports.length).toBe(2)
  })

  test('a resend that is handed another reused connection and fails stale again is not resent a second time', async () => {
    const s = setup()
    const warm = [s.fetch(), s.fetch()]
    ;(await s.next(1)).reply(OK)
    ;(await s.next(2)).reply(OK)
    for (const w of warm) await (await w).text()
    const [one, two] = s.transports
    const a = s.fetch() // the newest idle connection: two
    const b = s.fetch() // one
    await Bun.sleep(1)
    // a fails stale and waits for a fresh connection; before it connects, b's answer frees one,
    // which is handed to a as a reused connection.
    two!.peerClose()
    one!.reply(OK)
    expect((await b).status).toBe(200)
    await Bun.sleep(1)
    expect(one!.written().split('GET /p').length - 1).toBe(3)
    one!.peerClose()
    expect(await rejection(a)).toMatchObject({ failure: 'reset', stale: true })
    await Bun.sleep(5)
    expect(s.transports.length).toBe(3)
  })

  test('a POST that may have been read is a reset, never resent', async () => {
    const { second, transports, sentOnPooled } = await staleRace('POST', bytes('once'))
    expect(sentOnPooled).toContain('POST /p')
    const error = await rejection(second)
    expect(error).toMatchObject({ failure: 'reset', stale: true })
    expect(transports.length).toBe(1)
  })

  test('a streamed body cannot be replayed: reset', async () => {
    const { second, transports } = await staleRace('PUT', new Response('streamed').body)
    expect((await rejection(second)).failure).toBe('reset')
    expect(transports.length).toBe(1)
  })

  test('a pooled connection already known closed is skipped, not used', async () => {
    const s = setup()
    const first = s.fetch()
    const one = await s.next(1)
    one.reply(OK)
    await (await first).text()
    one.closed = true // closed without the close event reaching the pool yet
    const second = s.fetch({ method: 'POST', body: bytes('x') })
    const two = await s.next(2)
    two.reply(OK)
    expect((await second).status).toBe(200)
    expect(one.writes.length).toBe(1)
  })
})

describe('framing and protocol errors', () => {
  test('a streamed body whose declared length is not a non-negative integer is never sent', async () => {
    for (const declared of ['3, 3', 'NaN', '-1', '1e3', '+3', '0x3', '99999999999999999']) {
      const s = setup()
      const error = await rejection(s.fetch({ method: 'POST', headers: new Headers({ 'content-length': declared }), body: new Response('abc').body }))
      expect(error).toMatchObject({ failure: 'local', code: 'InvalidContentLength', unsent: true })
      expect(s.transports.length).toBe(0)
    }
  })

  test('a stream shorter or longer than its declared length fails the request, not the endpoint', async () => {
    for (const [declared, sent] of [['5', 'abc'], ['2', 'abc']] as const) {
      const s = setup()
      const failed = rejection(s.fetch({ method: 'POST', headers: new Headers({ 'content-length': declared }), body: new Response(sent).body }))
      expect((await failed).failure).toBe('local')
      const t = s.transports[0]!
      expect(t.destroyed).toBe(true)
      expect(t.written()).toContain(`content-length: ${declared}\r\n`)
    }
  })

  test('a status out of range, obs-fold or a bad chunk size is a protocol error and the connection is dropped', async () => {
    for (const wire of ['HTTP/1.1 999 Nope\r\ncontent-length: 0\r\n\r\n', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n folded\r\n\r\n', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n']) {
      const s = setup()
      const pending = s.fetch()
      const t = await s.next(1)
      t.reply(wire)
      const failure = await pending.then(
        (r) => r.text().then(() => undefined, (e: UpstreamError) => e),
        (e: UpstreamError) => e,
      )
      expect(failure).toMatchObject({ failure: 'protocol', code: 'ProtocolError' })
      expect(t.destroyed).toBe(true)
      expect(s.client.idleConnections()).toBe(0)
    }
  })
})

describe('backpressure', () => {
  test('an unread response body pauses the transport; reading resumes it', async () => {
    const s = setup()
    const pending = s.fetch()
    const t = await s.next(1)
    t.reply(`HTTP/1.1 200 OK\r\ncontent-length: ${200 * 1024}\r\n\r\n`)
    const response = await pending
    for (let i = 0; i < 3 && !t.paused; i++) t.reply('x'.repeat(40 * 1024))
    expect(t.paused).toBe(true)
    const reader = response.body!.getReader()
    await reader.read()
    await Bun.sleep(1)
    expect(t.paused).toBe(false)
    await reader.cancel()
  })

  test('a body whose last bytes came in the data that paused the transport: the idle connection reads again, and serves the next exchange', async () => {
    const s = setup()
    const pending = s.fetch()
    const t = await s.next(1)
    t.reply(`HTTP/1.1 200 OK\r\ncontent-length: ${80 * 1024}\r\n\r\n`)
    const response = await pending
    // One data event: past the reader's mark (pause) and the body's end at once.
    t.reply('x'.repeat(80 * 1024))
    expect((await response.arrayBuffer()).byteLength).toBe(80 * 1024)
    expect(t.paused).toBe(false)
    const second = s.fetch()
    await Bun.sleep(1)
    t.reply(OK)
    expect(await (await second).text()).toBe('ok')
    expect(s.transports).toHaveLength(1)
  })

  test('a request body waits for drain whenever the transport says its queue is full', async () => {
    const s = setup()
    let push!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) })
    const pending = s.fetch({ method: 'POST', body })
    const t = await s.next(1)
    t.accept = false
    push.enqueue(bytes('one'))
    push.enqueue(bytes('two'))
    await Bun.sleep(5)
    const before = t.writes.length
    expect(t.written()).toContain('3\r\none\r\n')
    expect(t.written()).not.toContain('two')
    t.accept = true
    t.events!.drain()
    await Bun.sleep(5)
    expect(t.writes.length).toBeGreaterThan(before)
    push.close()
    await Bun.sleep(5)
    expect(t.written()).toEndWith('3\r\ntwo\r\n0\r\n\r\n')
    t.reply(OK)
    expect((await pending).status).toBe(200)
  })
})

describe('a body too large to share the head\'s write', () => {
  test('still goes out, in full, when the head\'s write already filled the transport\'s queue', async () => {
    const t = new FakeTransport()
    t.accept = false
    const client = createHttp1Client({ dial: async () => t })
    const body = new Uint8Array(20 * 1024).fill(120)
    const pending = client.fetch({ url: 'http://10.0.0.1:8080/p', method: 'PUT', headers: new Headers({ host: 'svc' }), body, signal: new AbortController().signal })
    while (!t.events) await Bun.sleep(1)
    t.accept = true
    t.events.drain()
    await Bun.sleep(1)
    expect(t.written()).toEndWith(`content-length: ${body.byteLength}\r\n\r\n${'x'.repeat(body.byteLength)}`)
    t.reply(OK)
    expect((await pending).status).toBe(200)
  })
})

describe('abort', () => {
  test('an abort while waiting rejects with the reason and destroys the connection', async () => {
    const s = setup()
    const controller = new AbortController()
    const pending = s.fetch({ signal: controller.signal })
    const t = await s.next(1)
    controller.abort('gone')
    expect(await pending.catch((e) => e)).toBe('gone')
    expect(t.destroyed).toBe(true)
  })
})

describe('the end of a streamed body, reported (src/upstream/body-end.ts)', () => {
  const ends = async (response: Response) => {
    const seen: [number, unknown, boolean][] = []
    bodyEndOf(response)!.listen((bytes, failure, cancelled) => seen.push([bytes, failure, cancelled]))
    return seen
  }

  test('once the reader has the last byte, with the bytes it read; the connection is free before that', async () => {
    const s = setup()
    const pending = s.fetch()
    const t = await s.next(1)
    t.reply('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello')
    const response = await pending
    const seen = await ends(response)
    t.reply('world')
    expect(seen).toEqual([])
    expect(await response.text()).toBe('helloworld')
    expect(seen).toEqual([[10, undefined, false]])
    // Reused by the next request: the body had arrived whole.
    const again = s.fetch()
    ;(await s.next(1)).reply(OK)
    expect(await (await again).text()).toBe('ok')
    expect(s.transports).toHaveLength(1)
  })

  test('a reset mid-body is reported as a failure with the bytes read; a reader that stops, as cancelled', async () => {
    const s = setup()
    const broken = s.fetch()
    const t = await s.next(1)
    t.reply('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello')
    const response = await broken
    const seen = await ends(response)
    const reader = response.body!.getReader()
    expect((await reader.read()).value?.byteLength).toBe(5)
    await Bun.sleep(1)
    t.peerClose(new Error('reset'))
    await reader.read().catch(() => {})
    expect(seen).toHaveLength(1)
    expect([seen[0]![0], seen[0]![1] instanceof UpstreamError, seen[0]![2]]).toEqual([5, true, false])

    const left = s.fetch()
    const t2 = await s.next(2)
    t2.reply('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello')
    const cancelledResponse = await left
    const cancelled = await ends(cancelledResponse)
    await cancelledResponse.body!.cancel()
    expect(cancelled).toHaveLength(1)
    expect(cancelled[0]![2]).toBe(true)
  })

  test('a body that came whole with the head is a whole-body response instead', async () => {
    const s = setup()
    const pending = s.fetch()
    ;(await s.next(1)).reply(OK)
    const response = await pending
    expect([bodyEndOf(response), wholeBodyOf(response)?.byteLength]).toEqual([undefined, 2])
  })

  test('a chunked body of many chunks that came with its head is one whole body, in order', async () => {
    const s = setup()
    const pending = s.fetch()
    const pieces = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26)))
    ;(await s.next(1)).reply(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${pieces.map((c) => `1\r\n${c}\r\n`).join('')}0\r\n\r\n`)
    const response = await pending
    expect(text(wholeBodyOf(response)!)).toBe(pieces.join(''))
  })

  test('a response whose head had no hop-by-hop field is marked so, whole or streamed; one with such a field is not', async () => {
    const s = setup()
    const marks: boolean[] = []
    const heads = [OK, 'HTTP/1.1 200 OK\r\nConnection: x-hop\r\nx-hop: 1\r\ncontent-length: 2\r\n\r\nok', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello', 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\ncontent-length: 10\r\n\r\nhello']
    for (let i = 0; i < heads.length; i++) {
      const pending = s.fetch()
      const t = await s.next(i + 1)
      t.reply(heads[i]!)
      const response = await pending
      marks.push(isHopByHopFree(response))
      t.peerClose()
      await response.body?.cancel().catch(() => {})
    }
    expect(marks).toEqual([true, false, true, false])
  })
})
