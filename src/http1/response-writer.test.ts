// The response writer's rules, one test each, against a fake transport (response-writer.fixture.ts):
// the head, whole bodies, streamed bodies and their framing, no-body statuses, keep-alive,
// backpressure, a body that breaks, the transport closing. What Bun.serve writes for the same
// Responses is test/integration/response-writer-differential.test.ts's.

import { describe, expect, test } from 'bun:test'
import { dateLine } from './date-field.ts'
import { ResponseWriter, type ResponseFacts } from './response-writer.ts'
import { FakeTransport, RangeTransport, slowStream } from './response-writer.fixture.ts'
import { reasonPhrase, statusLine } from './status-line.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'

const GET: ResponseFacts = { method: 'GET', version: 11, keepAlive: true }
const HEAD: ResponseFacts = { method: 'HEAD', version: 11, keepAlive: true }
const GET10: ResponseFacts = { method: 'GET', version: 10, keepAlive: false }
const GET10_KEEP: ResponseFacts = { method: 'GET', version: 10, keepAlive: true }
const encoder = new TextEncoder()
const DATE = /Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n/
const D = 'Date: <d>\r\n'

/** The writes as text, the Date value masked. */
function masked(transport: FakeTransport): string {
  return transport.text.replace(DATE, D)
}

function whole(body: string | null, init: ResponseInit = {}): Response {
  return wholeBodyResponse(body === null ? null : encoder.encode(body), init)
}

async function written(response: Response, facts: ResponseFacts = GET, transport = new FakeTransport()): Promise<{ transport: FakeTransport; keepAlive: boolean }> {
  const keepAlive = await new ResponseWriter(transport).write(response, facts)
  return { transport, keepAlive }
}

describe('the head', () => {
  test('status line with the standard reason whatever statusText says, the fields as the Headers give them, Date, the length', async () => {
    const { transport } = await written(whole('hi', { status: 201, statusText: 'Made', headers: { 'X-Custom': 'a', server: 'edgeway' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 201 Created\r\nserver: edgeway\r\nx-custom: a\r\n${D}Content-Length: 2\r\n\r\nhi`)
  })

  test('an unlisted status code gets Envoy\'s reason, Unknown', () => {
    expect(reasonPhrase(299)).toBe('Unknown')
    expect(new TextDecoder().decode(statusLine(418))).toBe("HTTP/1.1 418 I'm a Teapot\r\n")
  })

  test('Set-Cookie fields stay separate lines; other repeats are joined as Headers joins them', async () => {
    const headers = new Headers()
    headers.append('set-cookie', 'a=1')
    headers.append('x-a', '1')
    headers.append('set-cookie', 'b=2')
    headers.append('x-a', '2')
    const { transport } = await written(whole('', { headers }))
    expect(masked(transport)).toContain('set-cookie: a=1\r\nset-cookie: b=2\r\n')
    expect(masked(transport)).toContain('x-a: 1, 2\r\n')
  })

  test('a Date of the response is kept, none is added then', async () => {
    const { transport } = await written(whole('x', { headers: { date: 'Mon, 01 Jan 2001 00:00:00 GMT' } }))
    expect(transport.text).toBe('HTTP/1.1 200 OK\r\ndate: Mon, 01 Jan 2001 00:00:00 GMT\r\nContent-Length: 1\r\n\r\nx')
  })

  test('the Date line is one per second: the same bytes within a second, new ones the next', () => {
    const a = dateLine(1_800_000_000_000)
    expect(dateLine(1_800_000_000_999)).toBe(a)
    expect(new TextDecoder().decode(a)).toBe('Date: Fri, 15 Jan 2027 08:00:00 GMT\r\n')
    expect(new TextDecoder().decode(dateLine(1_800_000_001_000))).toBe('Date: Fri, 15 Jan 2027 08:00:01 GMT\r\n')
  })

  test('framing fields of the Response are not written: the writer frames the body itself', async () => {
    const { transport } = await written(whole('hello', { headers: { 'content-length': '5', 'transfer-encoding': 'chunked' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 5\r\n\r\nhello`)
  })

  test('fields in Headers.forEach order by default; in the order a given walk hands them (a runtime\'s own, bun-response-fields.ts)', () => {
    const response = whole('x', { headers: [['x-b', '1'], ['x-a', '2']] })
    const sorted = new FakeTransport()
    new ResponseWriter(sorted).write(response, GET)
    expect(masked(sorted)).toBe(`HTTP/1.1 200 OK\r\nx-a: 2\r\nx-b: 1\r\n${D}Content-Length: 1\r\n\r\nx`)
    const given = new FakeTransport()
    new ResponseWriter(given, (_headers, visit) => (visit('1', 'x-b'), visit('2', 'x-a'))).write(response, GET)
    expect(masked(given)).toBe(`HTTP/1.1 200 OK\r\nx-b: 1\r\nx-a: 2\r\n${D}Content-Length: 1\r\n\r\nx`)
  })

  test('a header value with no byte form writes nothing and gives false', async () => {
    const headers = { forEach: (f: (v: string, n: string) => void) => f('\u0100', 'x-a'), get: () => null } as unknown as Headers
    const transport = new FakeTransport()
    const response = { status: 200, headers, body: null, bodyUsed: false } as unknown as Response
    expect(new ResponseWriter(transport).write(response, GET)).toBe(false)
    expect(transport.writes).toEqual([])
  })
})

describe('a whole body', () => {
  test('head and body in one write, synchronously', () => {
    const transport = new FakeTransport()
    expect(new ResponseWriter(transport).write(whole('hello'), GET)).toBe(true)
    expect(transport.writes.length).toBe(1)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 5\r\n\r\nhello`)
  })

  test('a large body in a write of its own after the head, not copied behind it', () => {
    const transport = new FakeTransport()
    const body = new Uint8Array(40_000).fill(7)
    expect(new ResponseWriter(transport).write(wholeBodyResponse(body, {}), GET)).toBe(true)
    expect(transport.writes.length).toBe(2)
    expect(transport.writes[1]).toEqual(body)
    expect(masked(transport).startsWith(`HTTP/1.1 200 OK\r\n${D}Content-Length: 40000\r\n\r\n`)).toBe(true)
  })

  test('a full queue: a promise that settles with the verdict on drain', async () => {
    const transport = new FakeTransport(10)
    const writer = new ResponseWriter(transport)
    const result = writer.write(whole('hello'), GET)
    expect(result).toBeInstanceOf(Promise)
    let settled: boolean | undefined
    void (result as Promise<boolean>).then((v) => (settled = v))
    await Bun.sleep(1)
    expect(settled).toBeUndefined()
    writer.drain()
    expect(await result).toBe(true)
  })

  test('a transport taking ranges gets the head as a range of the slab', () => {
    const transport = new RangeTransport()
    expect(new ResponseWriter(transport).write(whole('hello'), GET)).toBe(true)
    expect(transport.ranges).toBe(1)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 5\r\n\r\nhello`)
    // the slab space is given back: the next head is written over it, and still right
    expect(new ResponseWriter(transport).write(whole('bye', { status: 404 }), GET)).toBe(true)
    expect(transport.text.replace(new RegExp(DATE.source, "g"), D)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\n${D}Content-Length: 3\r\n\r\nbye`)
  })

  test('a local reply (no mark) is read and written with its length', async () => {
    const { transport, keepAlive } = await written(new Response('no healthy upstream', { status: 503, headers: { 'content-type': 'text/plain' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n${D}Content-Length: 19\r\n\r\nno healthy upstream`)
    expect(keepAlive).toBe(true)
  })

  test('no body at all: Content-Length: 0', async () => {
    const { transport } = await written(new Response(null, { status: 503 }))
    expect(masked(transport)).toBe(`HTTP/1.1 503 Service Unavailable\r\n${D}Content-Length: 0\r\n\r\n`)
  })
})

describe('no body: HEAD, 1xx, 204, 304', () => {
  test('HEAD keeps the Content-Length the upstream sent and sends no body', async () => {
    const { transport } = await written(whole(null, { headers: { 'content-length': '1234' } }), HEAD)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n${D}\r\n`)
  })

  test('HEAD of a local reply without a length: the length a GET would get, no body', async () => {
    const { transport } = await written(new Response('hello'), HEAD)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 5\r\n\r\n`)
  })

  test('HEAD of a body still streaming: chunked as a GET would get, the body not read', async () => {
    const slow = slowStream(['a', 'b', 'c'])
    const { transport, keepAlive } = await written(new Response(slow.stream), HEAD)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n`)
    expect(keepAlive).toBe(true)
    expect(slow.cancelled()).toBe(true)
  })

  test('204: no Content-Length or Transfer-Encoding added, a body the Response has is never sent', async () => {
    const slow = slowStream(['body'])
    const { transport, keepAlive } = await written(new Response(slow.stream, { status: 204, headers: { 'content-length': '4' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 204 No Content\r\n${D}\r\n`)
    expect(keepAlive).toBe(true)
    expect(slow.cancelled()).toBe(true)
  })

  test('304: its Content-Length kept (the representation\'s), nothing added, no body', async () => {
    const { transport } = await written(whole('abc', { status: 304, headers: { etag: '"e"', 'content-length': '10' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\netag: "e"\r\n${D}\r\n`)
    const plain = await written(new Response(null, { status: 304 }))
    expect(masked(plain.transport)).toBe(`HTTP/1.1 304 Not Modified\r\n${D}\r\n`)
  })

  test('1xx (an interim status no Response can carry, written from a record): no framing, no body', () => {
    const transport = new FakeTransport()
    const interim = { status: 103, headers: new Headers({ link: '</a>; rel=preload' }), body: null, bodyUsed: false } as unknown as Response
    expect(new ResponseWriter(transport).write(interim, GET)).toBe(true)
    expect(masked(transport)).toBe(`HTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n${D}\r\n`)
  })
})

describe('a streamed body', () => {
  test('without a length on HTTP/1.1: chunked, each chunk written as it comes', async () => {
    const slow = slowStream(['ab', 'cde', '', 'f'])
    const { transport, keepAlive } = await written(new Response(slow.stream))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n1\r\nf\r\n0\r\n\r\n`)
    expect(transport.writes.length).toBe(5) // the head, three chunks, the last chunk
    expect(keepAlive).toBe(true)
  })

  test('chunks larger than the coalescing size: the size line, then the chunk, its CRLF carried by the next line', async () => {
    const big = new Uint8Array(20_000).fill(65)
    const { transport } = await written(new Response(slowStream([big, 'z', big]).stream))
    const a = 'A'.repeat(20_000)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n4e20\r\n${a}\r\n1\r\nz\r\n4e20\r\n${a}\r\n0\r\n\r\n`)
  })

  test('on HTTP/1.0: delimited by the close, no framing field, and the connection is not kept', async () => {
    const { transport, keepAlive } = await written(new Response(slowStream(['ab', 'cd']).stream), GET10_KEEP)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}\r\nabcd`)
    expect(keepAlive).toBe(false)
  })

  test('with the upstream\'s Content-Length: kept, the body counted', async () => {
    const { transport, keepAlive } = await written(new Response(slowStream(['ab', 'cd']).stream, { headers: { 'content-length': '4' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 4\r\n\r\nabcd`)
    expect(keepAlive).toBe(true)
  })

  test('shorter than its Content-Length: the connection is destroyed', async () => {
    const { transport, keepAlive } = await written(new Response(slowStream(['ab']).stream, { headers: { 'content-length': '4' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 4\r\n\r\nab`)
    expect(keepAlive).toBe(false)
    expect(transport.destroyed).toBe(1)
  })

  test('longer than its Content-Length: stopped at the length, its reader cancelled, the connection not kept', async () => {
    const slow = slowStream(['ab', 'cdef', 'gh'])
    const { transport, keepAlive } = await written(new Response(slow.stream, { headers: { 'content-length': '4' } }))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 4\r\n\r\nabcd`)
    expect(keepAlive).toBe(false)
    expect(slow.cancelled()).toBe(true)
    expect(transport.destroyed).toBe(0)
  })

  test('a body already there is sent whole with its length, in one write (a local reply, an arrived upstream body)', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('ab'))
        controller.enqueue(encoder.encode('cd'))
        controller.close()
      },
    })
    const { transport } = await written(new Response(stream))
    expect(transport.writes.length).toBe(1)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 4\r\n\r\nabcd`)
  })

  test('what arrived before the head leaves with it; the rest follows chunk by chunk', async () => {
    const transport = new FakeTransport()
    const writer = new ResponseWriter(transport)
    let c2!: ReadableStreamDefaultController<Uint8Array>
    const s2 = new ReadableStream<Uint8Array>({ start: (c) => void (c2 = c) })
    c2.enqueue(encoder.encode('early'))
    const result = writer.write(new Response(s2), GET)
    await Bun.sleep(2)
    expect(transport.writes.length).toBe(1)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n5\r\nearly\r\n`)
    c2.enqueue(encoder.encode('late'))
    c2.close()
    expect(await result).toBe(true)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n5\r\nearly\r\n4\r\nlate\r\n0\r\n\r\n`)
  })

  test('a body not there yet: the head goes out at once', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
    const transport = new FakeTransport()
    const result = new ResponseWriter(transport).write(new Response(stream, { headers: { 'content-length': '3' } }), GET)
    await Bun.sleep(2)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 3\r\n\r\n`)
    controller.enqueue(encoder.encode('abc'))
    controller.close()
    expect(await result).toBe(true)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 3\r\n\r\nabc`)
  })

  test('backpressure: when write says the queue is full, nothing more is read until drain', async () => {
    const transport = new FakeTransport(1)
    const writer = new ResponseWriter(transport)
    const slow = slowStream(['a', 'b', 'c'])
    const result = writer.write(new Response(slow.stream), GET)
    await Bun.sleep(20)
    // the head went out (past the mark): the writer read one chunk on its way to the head, and no more
    const pullsAtHead = slow.pulls()
    expect(masked(transport)).toStartWith(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n`)
    await Bun.sleep(20)
    expect(slow.pulls()).toBe(pullsAtHead)
    const before = transport.writes.length
    transport.drained()
    writer.drain()
    await Bun.sleep(20)
    expect(transport.writes.length).toBeGreaterThan(before)
    // every write past the mark waits for its own drain
    for (let i = 0; i < 10; i++) {
      transport.drained()
      writer.drain()
      await Bun.sleep(5)
    }
    expect(await result).toBe(true)
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n`)
  })
})

describe('keep-alive', () => {
  test('false when the request does not allow another', async () => {
    expect((await written(whole('x'), { ...GET, keepAlive: false })).keepAlive).toBe(false)
  })

  test('false when the response says connection: close, in any token of it', async () => {
    expect((await written(whole('x', { headers: { connection: 'close' } }))).keepAlive).toBe(false)
    expect((await written(whole('x', { headers: { connection: 'foo, Close' } }))).keepAlive).toBe(false)
    expect((await written(whole('x', { headers: { connection: 'closed' } }))).keepAlive).toBe(true)
  })

  test('HTTP/1.0: kept only when asked, and then Connection: keep-alive is echoed', async () => {
    const asked = await written(whole('x'), GET10_KEEP)
    expect(masked(asked.transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Connection: keep-alive\r\nContent-Length: 1\r\n\r\nx`)
    expect(asked.keepAlive).toBe(true)
    const not = await written(whole('x'), GET10)
    expect(masked(not.transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Content-Length: 1\r\n\r\nx`)
    expect(not.keepAlive).toBe(false)
    // a Connection field of the response's own is not repeated
    const closing = await written(whole('x', { headers: { connection: 'close' } }), GET10_KEEP)
    expect(masked(closing.transport)).toBe(`HTTP/1.1 200 OK\r\nconnection: close\r\n${D}Content-Length: 1\r\n\r\nx`)
    expect(closing.keepAlive).toBe(false)
  })
})

describe('a body that breaks, a transport that closes', () => {
  test('broken after the head went out: the connection is destroyed, the client sees the body cut', async () => {
    const { transport, keepAlive } = await written(new Response(slowStream(['ab', 'cd'], { failAfter: 1 }).stream))
    expect(masked(transport)).toBe(`HTTP/1.1 200 OK\r\n${D}Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n`)
    expect(keepAlive).toBe(false)
    expect(transport.destroyed).toBe(1)
  })

  test('broken before the head: nothing written, false', async () => {
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.error(new Error('reset')) })
    const { transport, keepAlive } = await written(new Response(stream))
    expect(transport.writes).toEqual([])
    expect(keepAlive).toBe(false)
    expect(transport.destroyed).toBe(0)
  })

  test('the transport closes mid-body: the reader is cancelled, the pending write settles false', async () => {
    const transport = new FakeTransport()
    const writer = new ResponseWriter(transport)
    const slow = slowStream(['a', 'b', 'c', 'd', 'e'])
    const result = writer.write(new Response(slow.stream), GET)
    await Bun.sleep(3)
    transport.closed = true
    writer.close(new Error('reset by peer'))
    expect(await result).toBe(false)
    expect(slow.cancelled()).toBe(true)
    // and the writer writes nothing more on that connection
    expect(writer.write(whole('x'), GET)).toBe(false)
  })

  test('the transport closes while the writer waits for drain: false', async () => {
    const transport = new FakeTransport(1)
    const writer = new ResponseWriter(transport)
    const result = writer.write(whole('hello'), GET)
    writer.close()
    expect(await result).toBe(false)
  })
})
