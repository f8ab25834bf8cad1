// edgeway on Deno (the HTTP/1.1 client of src/http1 on Deno's transport) against a byte-scripted
// upstream: the framings it must read (chunked in pieces, close-delimited, interim 100, HEAD, 204,
// a transfer-encoding not ending in chunked), a chunked request body, a kept-alive socket the
// upstream closed while idle, the keep-alive race (a POST is never resent), resets, protocol
// errors (status 999, obs-fold) and obs-text header bytes.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, spawnEdgeway, type EdgewayProcess } from '../support/edgeway.ts'
import { withTestRuntime } from '../support/edgeway-processes.ts'
import { startBlackHole, type BlackHole } from '../support/sockets.ts'

const DENO = `${ROOT}node_modules/.bin/deno`
const BIG = 'x'.repeat(300_000)

type Script = (socket: net.Socket, head: string, body: string) => void

// Each path answers with raw bytes; after answering, the socket stays open unless the script ends it.
const SCRIPTS: Record<string, Script> = {
  '/s/chunked': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n5\r\nhel')
    setTimeout(() => socket.write('lo\r\n7;ext=1\r\n, world\r\n'), 20)
    setTimeout(() => socket.write('0\r\nx-trailer: t\r\n\r\n'), 40)
  },
  '/s/close': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil ')
    setTimeout(() => socket.end('the end'), 20)
  },
  '/s/interim': (socket) => socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok'),
  '/s/head': (socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1234\r\nx-head: yes\r\n\r\n'),
  '/s/empty': (socket) => socket.write('HTTP/1.1 204 No Content\r\nx-empty: yes\r\n\r\n'),
  '/s/big': (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${BIG.length}\r\n\r\n`)
    socket.write(BIG.slice(0, 100_000))
    setTimeout(() => socket.write(BIG.slice(100_000)), 20)
  },
  // Answers, then closes the kept-alive socket a moment later without saying so.
  '/s/then-close': (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst')
    setTimeout(() => socket.destroy(), 30)
  },
  '/s/reset': (socket) => socket.resetAndDestroy(),
  '/s/race/answer': (socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
  // Reads the request, then drops the connection without a byte: the keep-alive race.
  '/s/race/drop': (socket, head) => {
    drops.push(head.split(' ')[0] as string)
    socket.destroy()
  },
  '/s/status-999': (socket) => socket.write('HTTP/1.1 999 Weird\r\ncontent-length: 0\r\n\r\n'),
  '/s/folded': (socket) => socket.write('HTTP/1.1 200 OK\r\nx-a: 1\r\n  folded\r\ncontent-length: 2\r\n\r\nok'),
  '/s/obs-text': (socket) => socket.write(Buffer.from('HTTP/1.1 200 OK\r\nx-latin: caf\xe9 \x80\x9f\r\ncontent-length: 2\r\n\r\nok', 'latin1')),
  '/s/te-gzip': (socket) => socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nuntil close'),
  '/s/echo-body': (socket, head, body) => {
    const text = JSON.stringify({ chunked: /transfer-encoding: chunked/i.test(head), body })
    socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`)
  },
}

/** Methods of the requests /s/race/drop received (and dropped). */
const drops: string[] = []
let upstream: net.Server
let upstreamPort: number
let edgeway: EdgewayProcess
let dir: string
let base: string
let hole: BlackHole | undefined

/** Reads one request (content-length or chunked body, de-chunked) per turn on a kept-alive socket. */
function serveScripted(socket: net.Socket): void {
  let buffer = ''
  socket.setEncoding('latin1')
  socket.on('error', () => {})
  socket.on('data', (data: string) => {
    buffer += data
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buffer.slice(0, end)
      let rest = buffer.slice(end + 4)
      let body = ''
      const length = /content-length: *(\d+)/i.exec(head)
      if (length) {
        if (rest.length < Number(length[1])) return
        body = rest.slice(0, Number(length[1]))
        rest = rest.slice(body.length)
      } else if (/transfer-encoding: chunked/i.test(head)) {
        const last = rest.indexOf('0\r\n\r\n')
        if (last < 0) return
        for (let at = 0; at < last; ) {
          const lineEnd = rest.indexOf('\r\n', at)
          const size = parseInt(rest.slice(at, lineEnd), 16)
          body += rest.slice(lineEnd + 2, lineEnd + 2 + size)
          at = lineEnd + 2 + size + 2
        }
        rest = rest.slice(last + 5)
      }
      buffer = rest
      const path = head.split(' ')[1] as string
      const script = Object.entries(SCRIPTS).find(([prefix]) => path.startsWith(prefix))?.[1]
      if (script) script(socket, head, body)
      else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
    }
  })
}

/** The response head as latin1 text, read from a raw socket (fetch would re-decode header bytes). */
function rawGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(base)
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`))
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      if (text.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(text.slice(0, text.indexOf('\r\n\r\n') + 2))
      }
    })
    socket.on('error', reject)
  })
}

beforeAll(async () => {
  expect(existsSync(DENO)).toBe(true) // a missing runtime fails loudly, never skips
  upstream = net.createServer(serveScripted)
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamPort = (upstream.address() as net.AddressInfo).port
  hole = await startBlackHole()
  dir = mkdtempSync(join(tmpdir(), 'edgeway-deno-client-'))
  const config = join(dir, 'deno.yaml')
  writeFileSync(
    config,
    `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: scripted
        domains: ["*"]
        routes:
          - match: { prefix: /s/race }
            # A retry policy makes request bodies buffered (replayable); reset is not in retry_on.
            route: { cluster: scripted, timeout: 5s, retry_policy: { retry_on: retriable-status-codes, retriable_status_codes: [409], num_retries: 1 } }
          - match: { prefix: /s }
            route: { cluster: scripted, timeout: 5s }
          - match: { prefix: /hole }
            route: { cluster: blackholed, timeout: 5s }
clusters:
  - name: scripted
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
  - name: blackholed
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${hole.port} }] }
`,
  )
  edgeway = withTestRuntime('deno', () => spawnEdgeway(['-c', config]))
  await edgeway.waitFor(/ingress_http on 127\.0\.0\.1:\d+/, 30_000)
  base = `http://127.0.0.1:${/ingress_http on 127\.0\.0\.1:(\d+)/.exec(edgeway.stdout())![1]}`
}, 45_000)

afterAll(async () => {
  if (edgeway && edgeway.child.exitCode === null) edgeway.kill('SIGKILL')
  hole?.stop()
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe("edgeway's HTTP/1.1 upstream client on Deno", () => {
  test('a chunked body arriving in pieces is de-chunked, extensions and trailers dropped', async () => {
    const response = await fetch(`${base}/s/chunked`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('hello, world')
  })

  test('a body delimited by the upstream closing arrives whole', async () => {
    const response = await fetch(`${base}/s/close`)
    expect(await response.text()).toBe('until the end')
  })

  test('an interim 100 is skipped for the final response', async () => {
    const response = await fetch(`${base}/s/interim`)
    expect(response.status).toBe(201)
    expect(await response.text()).toBe('ok')
  })

  test('HEAD reads no body despite content-length, 204 reads none at all', async () => {
    const head = await fetch(`${base}/s/head`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('x-head')).toBe('yes')
    const empty = await fetch(`${base}/s/empty`)
    expect(empty.status).toBe(204)
    expect(empty.headers.get('x-empty')).toBe('yes')
    // both sockets went back to the pool in a clean state: the next exchange on them works
    expect(await (await fetch(`${base}/s/interim`)).text()).toBe('ok')
  })

  test('a body larger than one read streams through intact', async () => {
    const text = await (await fetch(`${base}/s/big`)).text()
    expect(text.length).toBe(BIG.length)
    expect(text).toBe(BIG)
  })

  test('a streamed request body without length goes chunked', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part-one;'))
        setTimeout(() => {
          controller.enqueue(new TextEncoder().encode('part-two'))
          controller.close()
        }, 30)
      },
    })
    const response = await fetch(`${base}/s/echo-body`, { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(await response.json()).toEqual({ chunked: true, body: 'part-one;part-two' })
  })

  test('a kept-alive socket the upstream closed while idle is replaced, not reported', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/s/then-close`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('first')
      await new Promise((resolve) => setTimeout(resolve, 80)) // the upstream has closed it by now
    }
  })

  test("a connect that never completes fails after the cluster's connect_timeout (0.25s), not the route's 5s: 503 UF", async () => {
    const started = performance.now()
    const response = await fetch(`${base}/hole`)
    const elapsed = performance.now() - started
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('connection failure')
    expect(elapsed).toBeGreaterThanOrEqual(240)
    expect(elapsed).toBeLessThan(2_500)
  })

  test('the keep-alive race: a POST the upstream may have read is a 503, never resent; a PUT goes again once', async () => {
    for (const method of ['POST', 'PUT']) {
      drops.length = 0
      // The answer puts a connection on top of the pool; the drop then goes out on it, reused.
      expect(await (await fetch(`${base}/s/race/answer`)).text()).toBe('ok')
      const response = await fetch(`${base}/s/race/drop`, { method, body: 'payload' })
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('reset before headers')
      expect(drops).toEqual(method === 'POST' ? ['POST'] : ['PUT', 'PUT'])
    }
  })

  test('a status outside 100-599 and a folded header line are protocol errors: 503, and the next request works', async () => {
    for (const path of ['/s/status-999', '/s/folded']) {
      const response = await fetch(`${base}${path}`)
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('protocol error')
      expect(await (await fetch(`${base}/s/interim`)).text()).toBe('ok')
    }
  })

  test('obs-text header bytes (0x80-0xFF) pass through as the same bytes', async () => {
    const head = await rawGet('/s/obs-text')
    expect(head).toContain('x-latin: caf\xe9 \x80\x9f\r\n')
  })

  test('a transfer-encoding whose last coding is not chunked is read until the upstream closes', async () => {
    const response = await fetch(`${base}/s/te-gzip`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('until close')
  })

  test('a reset before headers is a 503 with the reset reason', async () => {
    const response = await fetch(`${base}/s/reset`)
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('reset before headers')
  })
})
