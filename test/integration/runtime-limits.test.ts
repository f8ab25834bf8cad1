// Pins what the runtimes' own HTTP servers do that edgeway cannot change from its adapter
// (README "Limits"), on the real CLI: if a Bun or Deno upgrade changes one, this fails and the
// README entry (and maybe a workaround) is due. Corpus-level differences (methods, TRACE bodies,
// bare LF, trailers, non-ASCII paths, header sizes) are pinned in hostile-requests.test.ts.
// The byte-level listener (EDGEWAY_LISTENER=bytes on Bun, `bytes` below) owns its sockets: each
// limit is pinned for it beside the runtimes', where it answers otherwise and why.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import net from 'node:net'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startFaultUpstream, type FaultUpstream } from '../support/fault-upstream.ts'
import { RawConnection } from '../support/raw-client.ts'

const group = new ProcessGroup()
let upstream: FaultUpstream
type Server = 'bun' | 'deno' | 'bytes'
const proxies = new Map<Server, ProxyProcess>()

beforeAll(async () => {
  upstream = await startFaultUpstream()
  const yaml = `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: up } }]
clusters:
  - name: up
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`
  for (const runtime of ['bun', 'deno'] as const) proxies.set(runtime, await group.proxy(`limits-${runtime}`, yaml, {}, { runtime, startTimeoutMs: 30_000 }))
  proxies.set('bytes', await group.proxy('limits-bytes', yaml, { EDGEWAY_LISTENER: 'bytes' }, { runtime: 'bun', startTimeoutMs: 30_000 }))
}, 60_000)

afterAll(async () => {
  await group.stopAll()
  await upstream?.stop()
})

const port = (runtime: Server) => proxies.get(runtime)!.port('ingress')

describe('pipelined requests', () => {
  const twoAtOnce = `GET /drip/10/100/5 HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n`

  test('Bun closes the connection, answering neither, when a request arrives behind one in progress', async () => {
    const connection = await RawConnection.open(port('bun'))
    connection.send(twoAtOnce)
    expect(await connection.response()).toBe('closed')
    connection.close()
  })

  test('Deno and the byte listener answer both, in order', async () => {
    for (const server of ['deno', 'bytes'] as const) {
      const connection = await RawConnection.open(port(server))
      connection.send(twoAtOnce)
      const [first, second] = [await connection.response(), await connection.response()]
      expect([first, second].map((a) => (a === 'closed' ? 'closed' : [a.status, a.body]))).toEqual([
        [200, 'ddddddddd'.padEnd(10, 'd')],
        [200, 'ok'],
      ])
      connection.close()
    }
  })
})

describe('a streamed body of known length', () => {
  test('goes out chunked on Bun (Bun.serve ignores content-length on a stream) and sized on Deno and the byte listener (the writer counts the declared length)', async () => {
    const framing: Record<string, [string | undefined, string | undefined]> = {}
    for (const runtime of ['bun', 'deno', 'bytes'] as const) {
      const connection = await RawConnection.open(port(runtime))
      connection.send('GET /long-body/200000/200000 HTTP/1.1\r\nHost: x\r\n\r\n')
      const answer = await connection.response()
      connection.close()
      if (answer === 'closed') throw new Error(`${runtime} closed`)
      expect(answer.body.length).toBe(200_000)
      framing[runtime] = [answer.headers.get('content-length'), answer.headers.get('transfer-encoding')]
    }
    expect(framing).toEqual({ bun: [undefined, 'chunked'], deno: ['200000', undefined], bytes: ['200000', undefined] })
  })
})

describe('slowloris: one header byte every 500 ms', () => {
  /** Resolves with the ms until the server closed, or undefined if still open after `forMs`. */
  function drip(target: number, forMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const started = Date.now()
      const socket = net.connect(target, '127.0.0.1')
      socket.on('error', () => {})
      const head = `GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}`
      let sent = 0
      const timer = setInterval(() => socket.write(head[sent++ % head.length]!), 500)
      const finish = (value: number | undefined) => {
        clearInterval(timer)
        clearTimeout(deadline)
        socket.destroy()
        resolve(value)
      }
      socket.on('close', () => finish(Date.now() - started))
      const deadline = setTimeout(() => finish(undefined), forMs)
    })
  }

  test('Bun cuts the connection after about 10 s (its fixed header timeout), so does the byte listener (the same bound, its own timer); Deno never does', async () => {
    const [bun, deno, bytes] = await Promise.all([drip(port('bun'), 16_000), drip(port('deno'), 16_000), drip(port('bytes'), 16_000)])
    expect(bun).toBeDefined()
    expect(bun!).toBeGreaterThan(5_000)
    expect(deno).toBeUndefined()
    // From the head's first byte, not reset by each byte that follows.
    expect(bytes).toBeGreaterThan(9_000)
    expect(bytes).toBeLessThan(12_000)
  }, 30_000)
})

describe('more header field lines than the runtime\'s server admits', () => {
  /** A head of `lines` field lines, Host included. */
  const head = (lines: number) => `GET /ok HTTP/1.1\r\nHost: x\r\n${Array.from({ length: lines - 1 }, (_, i) => `X-F${i}: ${i}\r\n`).join('')}\r\n`

  async function answer(runtime: Server, lines: number) {
    const connection = await RawConnection.open(port(runtime))
    connection.send(head(lines))
    const reply = await connection.response()
    const closed = await connection.closedWithin(2_000)
    connection.close()
    if (reply === 'closed') throw new Error(`${runtime} closed without an answer`)
    return { status: reply.status, server: reply.headers.get('server') ?? null, body: reply.body, closed }
  }

  const overflows = async (runtime: Server) => {
    const stats = await (await fetch(`${proxies.get(runtime)!.url('admin')}/stats?filter=downstream_rq_header_overflow`)).text()
    return Number(/downstream_rq_header_overflow: (\d+)/.exec(stats)?.[1])
  }

  test('Bun: up to 198 lines edgeway answers 431 itself (counted); from 199 Bun.serve\'s own bare 431 (not counted) and the connection closed', async () => {
    const before = await overflows('bun')
    expect(await answer('bun', 198)).toMatchObject({ status: 431, server: 'edgeway', body: 'Request Header Fields Too Large' })
    expect(await answer('bun', 199)).toEqual({ status: 431, server: null, body: '', closed: true })
    expect(await overflows('bun')).toBe(before + 1)
  })

  test('Deno: up to 128 lines edgeway answers 431 itself (counted); from 129 Deno.serve\'s own 400 (not counted) and the connection closed', async () => {
    const before = await overflows('deno')
    expect(await answer('deno', 128)).toMatchObject({ status: 431, server: 'edgeway', body: 'Request Header Fields Too Large' })
    expect(await answer('deno', 129)).toEqual({ status: 400, server: null, body: '', closed: true })
    expect(await overflows('deno')).toBe(before + 1)
  })

  test('the byte listener: no ceiling of its own; past the listener\'s 100 every head gets edgeway\'s 431 (counted), closed, however many lines', async () => {
    const before = await overflows('bytes')
    for (const lines of [101, 198, 199, 1000]) {
      expect([lines, await answer('bytes', lines)]).toEqual([lines, { status: 431, server: 'edgeway', body: 'Request Header Fields Too Large', closed: true }])
    }
    expect(await overflows('bytes')).toBe(before + 4)
  })
})

describe('a CONNECT refused, and what follows its head on the connection', () => {
  const connectThenRequest = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n'

  test('Bun closes the connection after the 404: the bytes that follow are never read as a request', async () => {
    const connection = await RawConnection.open(port('bun'))
    connection.send(connectThenRequest)
    const first = await connection.response()
    expect(first === 'closed' ? 'closed' : [first.status, first.headers.get('connection')]).toEqual([404, 'close'])
    expect(await connection.response()).toBe('closed')
    connection.close()
  })

  test('the byte listener closes after the 404 as Bun does: what follows is never read as a request', async () => {
    const connection = await RawConnection.open(port('bytes'))
    connection.send(connectThenRequest)
    const first = await connection.response()
    expect(first === 'closed' ? 'closed' : [first.status, first.headers.get('connection')]).toEqual([404, 'close'])
    expect(await connection.response()).toBe('closed')
    connection.close()
  })

  test('Deno sends the 404 with connection: close but keeps the socket open, and answers what follows as a request', async () => {
    const connection = await RawConnection.open(port('deno'))
    connection.send(connectThenRequest)
    const [first, second] = [await connection.response(), await connection.response()]
    expect([first, second].map((a) => (a === 'closed' ? 'closed' : [a.status, a.headers.get('connection') ?? null]))).toEqual([
      [404, 'close'],
      [200, null],
    ])
    connection.close()
  })
})

describe('max_request_headers_kb (60 KiB by default) at its edge', () => {
  // Envoy's count (request-head.ts, upstream-headers.ts): method + target (less a `?`) + name, value and 4 a field.
  // GET /ok: 6; host: x: 9; x-big: 9 + n. 6 + 9 + 9 + 61416 = 61440 bytes.
  const big = (n: number) => `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`
  /** 90 lines of one name (under the count): each line counted on its own by the parser, joined into one field by Bun.serve. */
  const repeats = `GET /ok HTTP/1.1\r\nHost: x\r\n${`X-Same: ${'a'.repeat(680)}\r\n`.repeat(90)}\r\n`

  async function status(server: Server, request: string): Promise<number | 'closed'> {
    const connection = await RawConnection.open(port(server))
    connection.send(request)
    const answer = await connection.response()
    connection.close()
    return answer === 'closed' ? 'closed' : answer.status
  }

  test('both listeners on Bun: 61440 counted bytes pass, one more is 431', async () => {
    for (const server of ['bun', 'bytes'] as const) expect([server, await status(server, big(61416)), await status(server, big(61417))]).toEqual([server, 200, 431])
  })

  test('repeated names: Bun.serve joins them (a 61403-byte count) and serves; the byte listener counts each line (62115) as Envoy does: 431', async () => {
    expect({ bun: await status('bun', repeats), bytes: await status('bytes', repeats) }).toEqual({ bun: 200, bytes: 431 })
  })

  test('a head that does not end within twice the limit: the byte listener answers edgeway\'s 431 at once and closes; Bun.serve its own bare 431', async () => {
    const endless = `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(130 * 1024)}`
    const answers: Record<string, unknown> = {}
    for (const server of ['bun', 'bytes'] as const) {
      const connection = await RawConnection.open(port(server))
      connection.send(endless)
      const answer = await connection.response()
      answers[server] = answer === 'closed' ? 'closed' : [answer.status, answer.headers.get('server') ?? null, await connection.closedWithin(2_000)]
      connection.close()
    }
    expect(answers).toEqual({ bun: [431, null, true], bytes: [431, 'edgeway', true] })
  })
})

describe('prior-knowledge h2c on a plain listener (codec_type AUTO)', () => {
  /** The first bytes the listener sends back to the HTTP/2 connection preface. */
  function firstBytes(server: Server): Promise<Buffer> {
    return new Promise((resolve) => {
      const socket = net.connect(port(server), '127.0.0.1', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))
      let got = Buffer.alloc(0)
      const done = () => (clearTimeout(timer), socket.destroy(), resolve(got))
      const timer = setTimeout(done, 2_000)
      socket.on('data', (b: Buffer) => {
        got = Buffer.concat([got, b])
        if (got.byteLength >= 12) done()
      })
      socket.on('error', () => {})
      socket.on('close', done)
    })
  }

  test('Bun.serve speaks HTTP/2 (a SETTINGS frame first); the byte listener answers the preface 505 in HTTP/1.1: h2c clients fail on it (a known difference)', async () => {
    const bun = await firstBytes('bun')
    expect(bun[3]).toBe(0x04)
    const bytes = await firstBytes('bytes')
    expect(bytes.toString('latin1', 0, 12)).toBe('HTTP/1.1 505')
  })
})
