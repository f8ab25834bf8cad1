import { describe, expect, test } from 'bun:test'
import type { ConnInfo, ProxyRequest } from '../runtime.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from './request-head-limits.ts'
import { ServerConnection, type ServerConnectionOptions } from './server-connection.ts'
import type { ServerTransport } from './server-transport.ts'
import type { TransportEvents } from './transport.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const text = (b: Uint8Array) => String.fromCharCode(...b)

/** A downstream connection in memory: what the loop writes, whether it paused, ended or was destroyed. */
class FakeTransport implements ServerTransport {
  events: TransportEvents | undefined
  closed = false
  paused = false
  ended = false
  out = ''
  readonly remoteAddress = '10.0.0.9'
  readonly remotePort = 4000
  write(b: Uint8Array): boolean {
    this.out += text(b)
    return true
  }
  end() {
    this.ended = true
  }
  pause() {
    this.paused = true
  }
  resume() {
    this.paused = false
  }
  destroy() {
    this.closed = true
  }
  send(s: string) {
    this.events?.data(bytes(s))
  }
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, () => void>()
  let next = 0
  return {
    timers: { setTimeout: (fn: () => void) => (pending.set(++next, fn), next), clearTimeout: (id: unknown) => void pending.delete(id as number) },
    fire: () => [...pending.values()].forEach((fn) => fn()),
    count: () => pending.size,
  }
}

function setup(handler: (request: ProxyRequest, conn: ConnInfo) => Response | Promise<Response>, draining = false) {
  const t = new FakeTransport()
  const clock = manualTimers()
  const closed: ServerConnection[] = []
  const options: ServerConnectionOptions = { limits: DEFAULT_REQUEST_HEAD_LIMITS, headReadTimeoutMs: 10_000, idleTimeoutMs: 60_000, timers: clock.timers, draining: () => draining, onClosed: (c) => closed.push(c) }
  const connection = new ServerConnection(t, handler, options)
  return { t, clock, closed, connection }
}

const ok = (body: string) => wholeBodyResponse(bytes(body) as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(body.length) } })
const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('ServerConnection', () => {
  test('pipelined heads wait for the response before them: answered in order, whatever order the handler settles in', async () => {
    const releases: (() => void)[] = []
    const seen: string[] = []
    const s = setup((request) => {
      seen.push(request.url)
      return new Promise((resolve) => releases.push(() => resolve(ok(new URL(request.url).pathname))))
    })
    s.t.send('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(seen).toEqual(['http://h/1'])
    releases[0]!()
    await tick()
    expect(seen).toEqual(['http://h/1', 'http://h/2'])
    releases[1]!()
    await tick()
    expect([...s.t.out.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1])).toEqual(['/1', '/2'])
    expect(s.t.ended).toBe(false)
  })

  test('the request carries the head: method, headers as a snapshot, the peer; a body only when declared', async () => {
    const requests: [ProxyRequest, ConnInfo][] = []
    const s = setup(async (request, conn) => (requests.push([request, conn]), ok('x')))
    s.t.send('POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\nabc')
    await tick()
    const [request, conn] = requests[0]!
    expect([request.method, request.headers.get('x-a'), conn.remoteAddress, conn.remotePort]).toEqual(['POST', '1, 2', '10.0.0.9', 4000])
    expect(new TextDecoder().decode(await request.arrayBuffer())).toBe('abc')
    s.t.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    await tick()
    expect(requests[1]![0].body).toBeNull()
  })

  test('a refused head goes to the handler as a refusal, then the connection ends', async () => {
    const refusals: unknown[] = []
    const s = setup((request) => (refusals.push(request.refused), new Response('bad', { status: 400, headers: { connection: 'close' } })))
    s.t.send('GET / HTTP/1.1\r\nHost: h\r\nBad Name: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n')
    await tick()
    expect(refusals).toEqual([{ status: 400, code: 'http1.codec_error', message: 'malformed header line: "Bad Name: 1"' }])
    expect([s.t.out.slice(0, 12), s.t.ended, s.closed.length]).toEqual(['HTTP/1.1 400', true, 1])
  })

  test('the downstream closing mid-request aborts the request signal', async () => {
    let signal!: AbortSignal
    const s = setup((request) => ((signal = request.signal), new Promise<Response>(() => {})))
    s.t.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    expect(signal.aborted).toBe(false)
    s.t.events!.close()
    expect(signal.aborted).toBe(true)
  })

  test('idle between requests, or a head begun and not finished: the timer closes the connection', async () => {
    const idle = setup(() => ok('x'))
    expect(idle.clock.count()).toBe(1)
    idle.clock.fire()
    expect(idle.t.closed).toBe(true)
    const slow = setup(() => ok('x'))
    slow.t.send('GET / HTTP/1.1\r\nHost:')
    slow.clock.fire()
    expect([slow.t.closed, slow.t.out]).toEqual([true, ''])
  })

  test('while the listener drains, a connection ends after the response in flight; an idle one ends at once', async () => {
    const s = setup(() => ok('x'), true)
    s.t.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n')
    await tick()
    expect(s.t.ended).toBe(true)
    const idle = setup(() => ok('x'))
    idle.connection.closeIfIdle()
    expect(idle.t.ended).toBe(true)
  })
})
