// The byte listener's response writer (src/http1/response-writer.ts) against a bare Bun.serve on the
// same Responses (test/support/response-cases.ts): each case is served by Bun.serve in a process of
// its own and written by the writer onto a plain socket, the raw bytes read back from a socket, and
// the two compared after removing the Date value: status line, fields (names lower-cased, in any
// order, though the writer reads them as the Bun listener does and the order agrees: pinned below), the body bytes as framed, and whether the
// server closed. Where they differ, DIFFERENCES lists how and why edgeway's choice stands; a listed
// difference that stops differing fails, so a Bun upgrade that moves Bun.serve's bytes shows here.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import net from 'node:net'
import { parseRequestHead, RequestHeadRecord } from '../../src/http1/request-head.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from '../../src/http1/request-head-limits.ts'
import { ResponseReader } from '../../src/http1/response-reader.ts'
import { ResponseWriter, type WriterTransport } from '../../src/http1/response-writer.ts'
import { bunResponseFields } from '../../src/adapter/bun-response-fields.ts'
import { RESPONSE_CASES, type ResponseCase } from '../support/response-cases.ts'

type Seen = { raw: string; closed: boolean }
type FieldsDiff = { onlyBun: string[]; onlyWriter: string[] }
type Diff = { status?: { bun: string; writer: string }; fields?: FieldsDiff; body?: { bun: string; writer: string }; closed?: { bun: boolean; writer: boolean } }

const DATE_TEXT = 'Tue, 08 Dec 2026 00:00:00 GMT'.length
/**
 * Where Bun.serve's bytes and the writer's differ, and why the writer's stand. Field lines are
 * `name: value` with the name lower-cased; `Date: *` is a Date whose value was removed.
 */
const DIFFERENCES: Readonly<Record<string, Diff & { why: string }>> = {
  'text body without a content-type': {
    fields: { onlyBun: ['content-type: text/plain;charset=utf-8'], onlyWriter: [] },
    why: 'Bun.serve adds the type of a string body when it writes it; the Response\'s Headers never hold it on Bun (Deno\'s do), so the writer cannot see it. edgeway\'s own replies (local-reply.ts, guard.ts) name their content-type',
  },
  'bytes body without a content-type': {
    fields: { onlyBun: ['content-type: application/octet-stream'], onlyWriter: [] },
    why: 'as above, for a bytes body',
  },
  'status 599 (no standard reason)': {
    status: { bun: 'HTTP/1.1 599 HM', writer: 'HTTP/1.1 599 Unknown' },
    why: 'Bun.serve writes "HM" for a code its table lacks; the writer writes Envoy\'s "Unknown" (a reason phrase means nothing to a client, RFC 9112 §4)',
  },
  'HEAD, whole body marked with the upstream\'s length': {
    fields: { onlyBun: [], onlyWriter: ['date: *'] },
    why: 'Bun.serve writes no Date on a HEAD answer (it does on every other, 204 and 304 included); the writer writes one on every response, as Envoy does',
  },
  'HEAD, local reply': { fields: { onlyBun: [], onlyWriter: ['date: *'] }, why: 'as above' },
  'HEAD, null body': { fields: { onlyBun: [], onlyWriter: ['date: *'] }, why: 'as above' },
  'HEAD, body arriving': { fields: { onlyBun: [], onlyWriter: ['date: *'] }, why: 'as above' },
  'HTTP/1.0 request asking keep-alive': {
    fields: { onlyBun: [], onlyWriter: ['connection: keep-alive'] },
    closed: { bun: true, writer: false },
    why: 'Bun.serve closes every HTTP/1.0 connection; the writer keeps one that asked (RFC 9112 §9.3, Envoy with accept_http_10), and says so, which is what ApacheBench\'s `ab -k` relies on',
  },
  'body arriving, with the upstream\'s length': {
    fields: { onlyBun: ['transfer-encoding: chunked'], onlyWriter: ['content-length: 6'] },
    body: { bun: '2\\r\\nab\\r\\n2\\r\\ncd\\r\\n2\\r\\nef\\r\\n0\\r\\n\\r\\n', writer: 'abcdef' },
    why: 'Bun.serve drops a streamed body\'s Content-Length and chunks it; the writer keeps the upstream\'s length and counts the body against it, as Envoy forwards it (a short body closes the connection)',
  },
  'body breaking before its first byte': {
    fields: { onlyBun: [], onlyWriter: ['date: *', 'transfer-encoding: chunked'] },
    why: 'a body not there yet: the writer sends the whole head at once, as Envoy forwards an upstream head, where Bun.serve sends only its status line until the first chunk; both then cut the connection, so the client sees a broken response either way',
  },

  'large local body (70000 B)': {
    fields: { onlyBun: ['content-length: 70000'], onlyWriter: ['transfer-encoding: chunked'] },
    body: { bun: '70000 bytes: aaaaaaaaaaaaaaaaaaaa…aaaaaaaaaa', writer: '70021 bytes: 4000\\r\\naaaaaaaaaaaaaa…aaa\\r\\n0\\r\\n\\r\\n' },
    why: 'a body that is not the upstream client\'s whole body is read; up to 64 KiB of what is there already is sent with a length (as response-body.ts reads sized bodies whole), a longer one is streamed in chunks as read. Bun.serve knows a buffer\'s length natively; no such Response reaches the byte listener from the path but the admin\'s, which stays on Bun.serve',
  },
}

// The bare Bun.serve serves each case by name, in a process of its own (nothing of this process's
// state, e.g. a raised header limit, reaches it).
const CASES_MODULE = new URL('../support/response-cases.ts', import.meta.url).pathname
const SERVE = `
import { RESPONSE_CASES } from ${JSON.stringify(CASES_MODULE)}
const s = Bun.serve({ port: 0, hostname: '127.0.0.1', development: false, idleTimeout: 5, fetch(request) {
  const name = decodeURIComponent(new URL(request.url).pathname.slice(1))
  return RESPONSE_CASES.find((c) => c.name === name).make()
} })
console.log(s.port)`
let bun: ReturnType<typeof Bun.spawn> | undefined
let bunPort = 0

/** The writer on a plain socket: one request per connection, answered through a ResponseWriter. */
let writerServer: net.Server | undefined
let writerPort = 0

class SocketTransport implements WriterTransport {
  closed = false
  constructor(readonly socket: net.Socket) {}
  write(bytes: Uint8Array): boolean {
    if (this.closed) return true
    return this.socket.write(bytes)
  }
  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }
}

function serveWithWriter(socket: net.Socket): void {
  const transport = new SocketTransport(socket)
  // The fields read as the byte listener on Bun reads them (in the order Bun.serve writes them).
  const writer = new ResponseWriter(transport, bunResponseFields)
  socket.on('drain', () => writer.drain())
  socket.on('close', () => {
    transport.closed = true
    writer.close()
  })
  socket.on('error', () => {})
  let buffered = new Uint8Array(0)
  socket.on('data', async (chunk: Buffer) => {
    const next = new Uint8Array(buffered.byteLength + chunk.byteLength)
    next.set(buffered)
    next.set(chunk, buffered.byteLength)
    buffered = next
    const head = parseRequestHead(buffered, DEFAULT_REQUEST_HEAD_LIMITS, new RequestHeadRecord())
    if (head === undefined) return
    const name = decodeURIComponent(head.target.slice(1))
    const response = RESPONSE_CASES.find((c) => c.name === name)!.make()
    const keepAlive = await writer.write(response, { method: head.method, version: head.version, keepAlive: head.keepAlive })
    if (!keepAlive && !transport.closed) socket.end()
  })
}

beforeAll(async () => {
  // stderr ignored: Bun.serve logs each broken body's error there.
  bun = Bun.spawn([process.execPath, '-e', SERVE], { stdout: 'pipe', stderr: 'ignore' })
  const reader = (bun.stdout as ReadableStream<Uint8Array>).getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`the bare Bun.serve exited before it listened: ${text}`)
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  bunPort = Number(text.trim())
  writerServer = net.createServer(serveWithWriter)
  await new Promise<void>((resolve) => writerServer!.listen(0, '127.0.0.1', resolve))
  writerPort = (writerServer.address() as net.AddressInfo).port
})

afterAll(async () => {
  bun?.kill()
  await bun?.exited
  await new Promise((resolve) => writerServer?.close(resolve))
})

function requestOf(c: ResponseCase): string {
  return `${c.method ?? 'GET'} /${encodeURIComponent(c.name)} HTTP/1.${c.version === 10 ? 0 : 1}\r\nHost: x\r\n${c.fields ?? ''}\r\n`
}

/** Sends the request; reads until the server closes, or until the response is complete and 80 ms pass without a close. */
function exchange(port: number, c: ResponseCase): Promise<Seen> {
  return new Promise((resolve) => {
    let raw = ''
    let settled = false
    let quiet: ReturnType<typeof setTimeout> | undefined
    const reader = new ResponseReader(c.method ?? 'GET', { head: () => {}, body: () => {} })
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.from(requestOf(c), 'latin1')))
    const done = (closed: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(quiet)
      clearTimeout(limit)
      socket.destroy()
      resolve({ raw, closed })
    }
    const limit = setTimeout(() => done(false), 3000)
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1')
      try {
        reader.execute(new Uint8Array(chunk))
      } catch {
        return // not a response the reader frames: wait for the close
      }
      if (reader.done && quiet === undefined) quiet = setTimeout(() => done(false), 80)
    })
    socket.on('error', () => {})
    socket.on('close', () => done(true))
  })
}

type Normal = { status: string; fields: string[]; body: string; closed: boolean }

function normal(seen: Seen): Normal {
  const end = seen.raw.indexOf('\r\n\r\n')
  const head = end < 0 ? seen.raw : seen.raw.slice(0, end)
  const [status = '', ...lines] = head.split('\r\n').filter((line, i) => i === 0 || line !== '')
  const fields = lines.map((line) => {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    return name === 'date' ? 'date: *' : `${name}:${line.slice(colon + 1)}`
  })
  return { status, fields, body: end < 0 ? '' : shown(seen.raw.slice(end + 4)), closed: seen.closed }
}

/** A body as text with CR and LF escaped; a long one as its length, start and end. */
function shown(body: string): string {
  const escaped = (text: string) => text.replaceAll('\r', '\\r').replaceAll('\n', '\\n')
  return body.length <= 200 ? escaped(body) : `${body.length} bytes: ${escaped(body.slice(0, 20))}…${escaped(body.slice(-10))}`
}

function without(list: string[], other: string[]): string[] {
  const rest = [...other]
  return list.filter((item) => {
    const at = rest.indexOf(item)
    if (at < 0) return true
    rest.splice(at, 1)
    return false
  })
}

function diffOf(bun: Normal, writer: Normal): Diff {
  const diff: Diff = {}
  if (bun.status !== writer.status) diff.status = { bun: bun.status, writer: writer.status }
  const onlyBun = without(bun.fields, writer.fields)
  const onlyWriter = without(writer.fields, bun.fields)
  if (onlyBun.length + onlyWriter.length > 0) diff.fields = { onlyBun, onlyWriter }
  if (bun.body !== writer.body) diff.body = { bun: bun.body, writer: writer.body }
  if (bun.closed !== writer.closed) diff.closed = { bun: bun.closed, writer: writer.closed }
  return diff
}

const seen = new Map<string, { bun: Seen; writer: Seen }>()
async function both(c: ResponseCase): Promise<{ bun: Seen; writer: Seen }> {
  let pair = seen.get(c.name)
  if (!pair) {
    pair = { bun: await exchange(bunPort, c), writer: await exchange(writerPort, c) }
    seen.set(c.name, pair)
  }
  return pair
}

describe('response writer against Bun.serve', () => {
  for (const c of RESPONSE_CASES) {
    test(c.name, async () => {
      const { bun: b, writer: w } = await both(c)
      const listed = DIFFERENCES[c.name]
      const expected: Diff = {}
      if (listed) for (const key of ['status', 'fields', 'body', 'closed'] as const) if (listed[key] !== undefined) (expected as Record<string, unknown>)[key] = listed[key]
      if (process.env.SHOW_RAW) console.log(JSON.stringify({ name: c.name, bun: b, writer: w }))
      expect(diffOf(normal(b), normal(w))).toEqual(expected)
    })
  }

  test('every listed difference names a case', () => {
    const names = new Set(RESPONSE_CASES.map((c) => c.name))
    expect(Object.keys(DIFFERENCES).filter((name) => !names.has(name))).toEqual([])
  })

  test('field names: Bun.serve capitalises those it knows, the writer writes them as the Headers give them (lower case, as Envoy emits HTTP/1 names)', async () => {
    const c = RESPONSE_CASES.find((x) => x.name === 'well-known field names')!
    const { bun: b, writer: w } = await both(c)
    expect(b.raw).toContain('\r\nContent-Type: text/html\r\n')
    expect(b.raw).toContain('\r\nETag: "e"\r\n')
    expect(w.raw).toContain('\r\ncontent-type: text/html\r\n')
    expect(w.raw).toContain('\r\netag: "e"\r\n')
    // the fields the writer adds are spelled as Bun.serve spells them
    expect(w.raw).toMatch(/\r\nDate: [^\r]+\r\nContent-Length: 1\r\n\r\n/)
    expect(b.raw).toMatch(/\r\nDate: [^\r]+\r\nContent-Length: 1\r\n\r\n/)
  })

  test('field order: read as Bun\'s Headers keep them (bun-response-fields.ts), the writer writes them in Bun.serve\'s order, on every case whose fields agree', async () => {
    const order = (raw: string) => raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n'))).split('\r\n').slice(1).map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
    let compared = 0
    for (const c of RESPONSE_CASES) {
      if (DIFFERENCES[c.name]?.fields !== undefined) continue
      const { bun: b, writer: w } = await both(c)
      expect({ name: c.name, order: order(w.raw) }).toEqual({ name: c.name, order: order(b.raw) })
      compared++
    }
    expect(compared).toBeGreaterThan(25)
  })

  test('field order: Headers.forEach (the writer\'s default, any runtime) sorts by name, which Bun.serve does not', async () => {
    const c = RESPONSE_CASES.find((x) => x.name === 'well-known field names')!
    const headers: string[] = []
    c.make().headers.forEach((_, name) => headers.push(name))
    expect(headers).toEqual([...headers].sort())
    const { bun: b } = await both(c)
    const written = b.raw.slice(0, b.raw.indexOf('\r\n\r\n')).split('\r\n').slice(1, 1 + headers.length).map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
    expect(written).not.toEqual(headers)
  })

  test('Date: one value per second, IMF-fixdate on both', async () => {
    const c = RESPONSE_CASES[0]!
    const { bun: b, writer: w } = await both(c)
    const date = /\r\nDate: ([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)\r\n/
    expect(b.raw).toMatch(date)
    expect(w.raw).toMatch(date)
    expect(w.raw.match(date)![1]!.length).toBe(DATE_TEXT)
  })
})
