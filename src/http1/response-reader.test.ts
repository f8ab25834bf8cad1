import { describe, expect, test } from 'bun:test'
import { Http1ParseError, type ResponseHead } from './codec.ts'
import { ResponseReader } from './response-reader.ts'

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** ResponseHead.headers (name, value, name, value…) as [name, value] pairs. */
const pairs = (fields: readonly string[]) => Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])

/** Feeds `parts` one by one and records what the reader reported. */
function read(method: string, parts: string[], eof = false) {
  let head: ResponseHead | undefined
  let body = ''
  const reader = new ResponseReader(method, {
    head: (h) => void (head = h),
    body: (chunk) => void (body += String.fromCharCode(...chunk)),
  })
  for (const part of parts) reader.execute(bytes(part))
  const finished = eof ? reader.finish() : undefined
  return { head, body, reader, finished }
}

/** Every split of `text` into two parts. */
function everySplit(method: string, text: string) {
  return Array.from({ length: text.length - 1 }, (_, i) => read(method, [text.slice(0, i + 1), text.slice(i + 1)]))
}

describe('ResponseReader', () => {
  test('content-length body, split at every byte boundary', () => {
    for (const r of everySplit('GET', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello')) {
      expect(r.head?.status).toBe(200)
      expect(pairs(r.head!.headers)).toEqual([['content-type', 'text/plain'], ['content-length', '5']])
      expect(r.body).toBe('hello')
      expect(r.reader.reusable).toBe(true)
    }
  })

  test('chunked body with extensions and trailers, split at every byte boundary', () => {
    for (const r of everySplit('GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n')) {
      expect(r.body).toBe('hello world')
      expect(r.reader.reusable).toBe(true)
    }
  })

  test('no length: the body runs until the upstream closes, and the connection is not reused', () => {
    const r = read('GET', ['HTTP/1.1 200 OK\r\n\r\nsome', ' more'], true)
    expect(r.body).toBe('some more')
    expect(r.finished).toBe(true)
    expect(r.reader.reusable).toBe(false)
  })

  test('HEAD, 204 and 304 are complete with the head; interim 1xx responses are skipped', () => {
    for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
      const r = read(method, [`HTTP/1.1 ${status} X\r\nContent-Length: 10\r\n\r\n`])
      expect(r.reader.done).toBe(true)
      expect(r.reader.reusable).toBe(true)
    }
    const r = read('POST', ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'])
    expect(r.head!.status).toBe(201)
    expect(r.body).toBe('ok')
  })

  test('more bytes than declared mark it excess (never reused); fewer are incomplete at EOF', () => {
    const long = read('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'])
    expect(long.body).toBe('ok')
    expect(long.reader.reusable).toBe(false)
    const chunkedLong = read('GET', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', 'MORE'])
    expect(chunkedLong.reader.excess).toBe(true)
    const short = read('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok'], true)
    expect(short.finished).toBe(false)
  })

  test('connection: close and HTTP/1.0 are not reusable', () => {
    expect(read('GET', ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).reader.reusable).toBe(false)
    expect(read('GET', ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).reader.reusable).toBe(false)
  })

  test('framing violations and upgrades throw Http1ParseError', () => {
    for (const text of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      expect(() => read('GET', [text])).toThrow(Http1ParseError)
    }
  })

  test('a head dripped a byte at a time is scanned once: linear, not quadratic (a hostile upstream)', () => {
    const lines = Array.from({ length: 90 }, (_, i) => `x-h${i}: ${'v'.repeat(600)}`).join('\r\n')
    const wire = bytes(`HTTP/1.1 200 OK\r\n${lines}\r\ncontent-length: 2\r\n\r\nok`)
    let head: ResponseHead | undefined
    let body = ''
    const reader = new ResponseReader('GET', { head: (h) => void (head = h), body: (c) => void (body += String.fromCharCode(...c)) })
    const started = performance.now()
    for (let i = 0; i < wire.byteLength; i++) reader.execute(wire.subarray(i, i + 1))
    // ~0.3 s here; rescanning and recopying the whole head per byte took ~15 s.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(pairs(head!.headers).length).toBe(91)
    expect(body).toBe('ok')
    expect(reader.reusable).toBe(true)
  })

  test('reset: the next response is read as by a new reader, its fields alone in the reused field array', () => {
    const heads: ResponseHead[] = []
    let body = ''
    const events = { head: (h: ResponseHead) => void heads.push(h), body: (c: Uint8Array) => void (body += String.fromCharCode(...c)) }
    const reader = new ResponseReader('GET', events)
    reader.execute(bytes('HTTP/1.1 200 OK\r\na: 1\r\nb: 2\r\nc: 3\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'))
    expect([pairs(heads[0]!.headers), body, reader.reusable]).toEqual([[['a', '1'], ['b', '2'], ['c', '3']], 'hi', true])
    const third = heads[0]!.headers
    for (const [method, wire, fields, text] of [
      ['GET', 'HTTP/1.1 100 Continue\r\nx: y\r\n\r\nHTTP/1.1 201 Created\r\nd: 4\r\ncontent-length: 3\r\n\r\nabc', [['d', '4'], ['content-length', '3']], 'abc'],
      ['HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n', [['content-length', '9']], ''],
      ['GET', 'HTTP/1.1 204 No Content\r\n\r\n', [], ''],
    ] as [string, string, string[][], string][]) {
      body = ''
      reader.reset(method, events)
      expect([reader.done, reader.received, reader.headReceived]).toEqual([false, false, false])
      reader.execute(bytes(wire))
      const head = heads.at(-1)!
      expect([pairs(head.headers), body, reader.reusable, reader.excess]).toEqual([fields, text, true, false])
      expect(head.headers).toBe(third) // the same array, cut to this head's fields
    }
  })
})
