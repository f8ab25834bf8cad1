// The byte-level listener (EDGEWAY_LISTENER=bytes, Bun only) as a client and an upstream see it:
// the real CLI in a child process, raw sockets downstream and an upstream that records every byte.
// The same requests go through a default (Bun.serve) edgeway too, and what reaches the upstream must
// be the same bytes; then what only a listener that owns its sockets decides: pipelining in order,
// bodiless framing, refused heads (never forwarded), the head-read and idle timeouts, drain.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import net from 'node:net'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { RawConnection } from '../support/raw-client.ts'
import { answered, okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

const BYTES = { EDGEWAY_LISTENER: 'bytes' }
const MIB = 1 << 20

const yaml = (upstreamPort: number, idle = '2s') => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    access_log: false
    idle_timeout: ${idle}
    max_request_bytes: 100000
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: up, timeout: 5s }
clusters:
  - name: up
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
`

/** What the upstream answers a path with: bodiless statuses, a slow answer, a 1 MiB body in pieces; else its path echoed. */
function script(head: string, socket: net.Socket): void {
  const path = /^\w+ (\S+)/.exec(head)![1]!
  if (path === '/204') return reply(socket, 'HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n')
  if (path === '/304') return reply(socket, 'HTTP/1.1 304 Not Modified\r\netag: "x"\r\n\r\n')
  if (path.startsWith('/slow')) return void setTimeout(() => reply(socket, okResponse('slow')), 1500)
  if (path === '/big') {
    socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n')
    const piece = Buffer.alloc(64 * 1024, 0x61)
    for (let i = 0; i < MIB / piece.byteLength; i++) socket.write(`${piece.byteLength.toString(16)}\r\n${piece.toString('latin1')}\r\n`)
    socket.write('0\r\n\r\n')
    return answered(socket)
  }
  reply(socket, okResponse(path))
}

/** Raw requests whose forwarded bytes must match Bun.serve's. */
const PARITY = [
  'GET /a?q=1 HTTP/1.1\r\nHost: edge\r\nAccept: */*\r\nUser-Agent: t/1\r\n\r\n',
  'GET /b HTTP/1.1\r\nHost: edge\r\nX-Request-Id: client-1\r\nConnection: x-drop\r\nX-Drop: 1\r\nX-A: 1\r\nx-a: 2\r\n\r\n',
  'POST /c HTTP/1.1\r\nHost: edge\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
  'POST /d HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n',
]
const RANDOM = /^(x-request-id): (?!client-1$).*$/gm

async function exchange(port: number, request: string): Promise<string> {
  const connection = await RawConnection.open(port)
  connection.send(request)
  const answer = await connection.response()
  connection.close()
  return answer === 'closed' ? 'closed' : `${answer.status} ${answer.body}`
}

/** Every byte until the peer closes, or what came within `ms`. */
async function readAll(port: number, request: string | Uint8Array, ms = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = ''
    const socket = net.connect(port, '127.0.0.1', () => socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request))
    const timer = setTimeout(() => (socket.destroy(), resolve({ text, closed: false })), ms)
    socket.on('data', (b) => (text += b.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => (clearTimeout(timer), resolve({ text, closed: true })))
  })
}

describe('EDGEWAY_LISTENER=bytes', () => {
  const group = new ProcessGroup()
  let upstream: ScriptedUpstream
  let bytes: ProxyProcess
  let port: number

  beforeAll(async () => {
    upstream = await startScriptedUpstream((request, socket) => script(request.head, socket))
    bytes = await group.proxy('bytes', yaml(upstream.port), BYTES, { startTimeoutMs: 30_000 })
    port = bytes.port('ingress')
  }, 60_000)

  afterAll(async () => {
    await group.stopAll()
    await upstream?.stop()
  }, 20_000)

  test('GET, and POST with Content-Length and chunked: the same bytes upstream as under Bun.serve', async () => {
    const served = await group.proxy('served', yaml(upstream.port), {}, { startTimeoutMs: 30_000 })
    const heads: Record<string, string[]> = {}
    for (const [name, target] of [['bytes', port], ['served', served.port('ingress')]] as const) {
      const sent = upstream.requests().length
      for (const request of PARITY) expect(`${name} ${await exchange(target, request)}`).toMatch(new RegExp(`^${name} 200 `))
      heads[name] = upstream.requests().slice(sent).map((r) => `${r.head.replace(RANDOM, '$1: *')}\r\n\r\n${Buffer.from(r.body).toString('latin1')}`)
    }
    expect(heads.bytes).toEqual(heads.served!)
    expect(heads.bytes![3]).toContain('\r\ntransfer-encoding: chunked\r\n\r\nabcde')
    // Where they differ: Bun.serve answers a chunked body with trailers a bare 400; the byte
    // listener drops the trailers (RFC 9112 §7.1.2 lets a proxy discard them) and forwards the body.
    const trailers = 'POST /t HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nab\r\n0\r\nx-trailer: 1\r\n\r\n'
    expect([await exchange(port, trailers), await exchange(served.port('ingress'), trailers)]).toEqual(['200 /t', '400 '])
  }, 60_000)

  test('keep-alive and pipelining: three heads in one write, answered in order on one connection', async () => {
    const connections = upstream.connections()
    const { text, closed } = await readAll(port, 'GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(closed).toBe(true)
    expect([...text.matchAll(/\r\n\r\n(\/p\d)/g)].map((m) => m[1])).toEqual(['/p1', '/p2', '/p3'])
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(3)
    // Only the last asked to close: the first two leave the connection open.
    expect(text.split(/(?=HTTP\/1\.1 )/).slice(0, 2).filter((r) => /connection: close/i.test(r))).toEqual([])
    expect(upstream.connections() - connections).toBeLessThanOrEqual(1)
    // HTTP/1.0: closed after the answer unless it asked to keep the connection (then echoed).
    const plain = await readAll(port, 'GET /old HTTP/1.0\r\nHost: x\r\n\r\n')
    expect([plain.closed, plain.text.endsWith('\r\n\r\n/old')]).toEqual([true, true])
    const kept = await readAll(port, 'GET /old-ka HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n', 500)
    expect([kept.closed, /\r\nconnection: keep-alive\r\n/i.test(kept.text)]).toEqual([false, true])
  })

  test('HEAD, 204 and 304 carry no body, and the connection goes on after each', async () => {
    const { text } = await readAll(port, 'HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    const responses = text.split(/(?=HTTP\/1\.1 )/)
    expect(responses.map((r) => r.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 204', 'HTTP/1.1 304', 'HTTP/1.1 200'])
    // HEAD keeps the length the GET would have had; 204 has none; nothing follows either head.
    expect(responses[0]).toContain('\r\ncontent-length: 2\r\n')
    expect(responses[0]!.endsWith('\r\n\r\n')).toBe(true)
    expect(responses[1]).not.toMatch(/content-length|transfer-encoding/)
    expect(responses[1]!.endsWith('\r\n\r\n')).toBe(true)
    expect(responses[2]!.endsWith('\r\n\r\n')).toBe(true)
    expect(responses[3]).toMatch(/\r\n\r\n\/after$/)
  })

  test('a response that goes out before its body was read (413 from the length): the body is read and dropped, and the next request on the connection is served', async () => {
    const sent = upstream.requests().length
    const { text, closed } = await readAll(port, `POST /too-big HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n${'z'.repeat(200_000)}GET /after-discard HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    expect(closed).toBe(true)
    expect(text.split(/(?=HTTP\/1\.1 )/).map((r) => r.slice(0, 12))).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200'])
    expect(text.endsWith('\r\n\r\n/after-discard')).toBe(true)
    expect(upstream.requests().slice(sent).map((r) => r.head.split(' ')[1])).toEqual(['/after-discard'])
  })

  test('a malformed head: 400 with connection: close, then closed, never forwarded', async () => {
    const sent = upstream.requests().length
    for (const head of ['GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n', 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n', 'POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab']) {
      const { text, closed } = await readAll(port, `${head}GET /next HTTP/1.1\r\nHost: x\r\n\r\n`)
      expect([text.slice(0, 12), closed]).toEqual(['HTTP/1.1 400', true])
      expect(text).toContain('\r\nconnection: close\r\n')
      expect(text.match(/HTTP\/1\.1/g)).toHaveLength(1)
    }
    expect(upstream.requests().length).toBe(sent)
  })

  test('too many header lines, or too many header bytes: 431 and closed', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `x-h${i}: 1\r\n`).join('')
    const large = `x-big: ${'a'.repeat(61 * 1024)}\r\n`
    for (const fields of [many, large]) {
      const { text, closed } = await readAll(port, `GET / HTTP/1.1\r\nHost: x\r\n${fields}\r\n`)
      expect([text.slice(0, 12), closed]).toEqual(['HTTP/1.1 431', true])
    }
    // Counted as today's path counts its 431s.
    const stats = await (await fetch(`${bytes.url('admin')}/stats?filter=downstream_rq_header_overflow|downstream_cx_protocol_error`)).text()
    expect(stats).toMatch(/downstream_rq_header_overflow: [2-9]/)
    expect(stats).toMatch(/downstream_cx_protocol_error: [1-9]/)
  })

  test('a head that never ends (slowloris) is closed within the timeout; so is an idle keep-alive connection', async () => {
    const started = performance.now()
    const slow = await readAll(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: ', 6000)
    expect([slow.text, slow.closed]).toEqual(['', true])
    expect(performance.now() - started).toBeGreaterThan(1500)
    const idle = await RawConnection.open(port)
    idle.send('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(await idle.response()).toMatchObject({ status: 200 })
    const answeredAt = performance.now()
    expect(await idle.closedWithin(5000)).toBe(true)
    expect(performance.now() - answeredAt).toBeGreaterThan(1500)
  }, 15_000)

  test('a large streamed response (1 MiB, chunked from the upstream) arrives whole', async () => {
    const connection = await RawConnection.open(port)
    connection.send('GET /big HTTP/1.1\r\nHost: x\r\n\r\n')
    const answer = await connection.response(10_000)
    connection.close()
    expect(answer === 'closed' ? 'closed' : [answer.status, answer.body.length, /^a+$/.test(answer.body)]).toEqual([200, MIB, true])
  }, 15_000)

  test('Expect: 100-continue: 100 Continue once the body is wanted, then the answer', async () => {
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (b) => (text += b.toString('latin1')))
    socket.write('POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n')
    const until = async (what: string) => {
      for (let i = 0; i < 100 && !text.includes(what); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await until('\r\n\r\n')
    expect(text).toBe('HTTP/1.1 100 Continue\r\n\r\n')
    socket.write('hi')
    await until('/e')
    socket.destroy()
    expect(`${text} ${upstream.requests().filter((r) => r.head.startsWith('POST /e')).length}`).toMatch(/ 1$/)
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 [^]*\r\n\r\n\/e$/)
  })

  test('SIGTERM drains: the request in flight is answered (connection: close), then the process exits', async () => {
    const draining = await group.proxy('bytes-drain', yaml(upstream.port), BYTES, { args: ['--drain-time-s', '5'], startTimeoutMs: 30_000 })
    const connection = await RawConnection.open(draining.port('ingress'))
    connection.send('GET /slow-drain HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const idle = await RawConnection.open(draining.port('ingress'))
    draining.process.kill('SIGTERM')
    const answer = await connection.response(8000)
    expect(answer === 'closed' ? 'closed' : [answer.status, answer.body, answer.headers.get('connection')]).toEqual([200, 'slow', 'close'])
    expect(await idle.closedWithin(5000)).toBe(true)
    expect(await draining.process.exited).toBe(0)
  }, 30_000)
})
