import { describe, expect, test } from 'bun:test'
import { ResponseParseError, ResponseParser, type ResponseHead } from './response-parser.ts'

const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** Feeds `parts` one by one and records what the parser reported. */
function parse(method: string, parts: string[], eof = false) {
  let head: ResponseHead | undefined
  let body = ''
  let completed = 0
  const parser = new ResponseParser(method, {
    head: (h) => void (head = h),
    body: (chunk) => void (body += String.fromCharCode(...chunk)),
    complete: () => void completed++,
  })
  for (const part of parts) parser.execute(bytes(part))
  const finished = eof ? parser.finish() : undefined
  return { head, body, completed, parser, finished }
}

/** Every split of `text` into two parts gives the same result as one piece. */
function everySplit(method: string, text: string) {
  return Array.from({ length: text.length - 1 }, (_, i) => parse(method, [text.slice(0, i + 1), text.slice(i + 1)]))
}

describe('ResponseParser', () => {
  test('content-length body, split at every byte boundary', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
    for (const r of everySplit('GET', text)) {
      expect(r.head).toEqual({ status: 200, statusText: 'OK', headers: [['Content-Type', 'text/plain'], ['Content-Length', '5']] })
      expect(r.body).toBe('hello')
      expect(r.completed).toBe(1)
      expect(r.parser.reusable).toBe(true)
    }
  })

  test('chunked body with extensions and trailers, split at every byte boundary', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n'
    for (const r of everySplit('GET', text)) {
      expect(r.body).toBe('hello world')
      expect(r.completed).toBe(1)
      expect(r.parser.reusable).toBe(true)
    }
  })

  test('transfer-encoding wins over content-length', () => {
    const r = parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'])
    expect(r.body).toBe('abc')
    expect(r.completed).toBe(1)
  })

  test('no length: the body runs until the upstream closes, and the connection is not reused', () => {
    const r = parse('GET', ['HTTP/1.1 200 OK\r\n\r\nsome', ' more'], true)
    expect(r.body).toBe('some more')
    expect(r.finished).toBe(true)
    expect(r.completed).toBe(1)
    expect(r.parser.reusable).toBe(false)
  })

  test('HEAD, 204 and 304 have no body whatever content-length says', () => {
    for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
      const r = parse(method, [`HTTP/1.1 ${status} X\r\nContent-Length: 10\r\n\r\n`])
      expect(r.completed).toBe(1)
      expect(r.body).toBe('')
      expect(r.parser.reusable).toBe(true)
    }
  })

  test('interim 100 and 103 responses are skipped', () => {
    const r = parse('POST', ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok'])
    expect(r.head!.status).toBe(201)
    expect(r.body).toBe('ok')
  })

  test('connection: close, and HTTP/1.0 without keep-alive, are not reusable', () => {
    expect(parse('GET', ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).parser.reusable).toBe(false)
    expect(parse('GET', ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).parser.reusable).toBe(false)
    expect(parse('GET', ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).parser.reusable).toBe(true)
  })

  test('bytes after a complete response mark it excess and unusable; a short body is incomplete at EOF', () => {
    const long = parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'])
    expect(long.body).toBe('ok')
    expect(long.parser.excess).toBe(true)
    expect(long.parser.reusable).toBe(false)
    const short = parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok'], true)
    expect(short.finished).toBe(false)
    expect(short.completed).toBe(0)
  })

  test('header values keep every byte (latin1), gzip bodies are not touched', () => {
    const r = parse('GET', ['HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08'])
    expect(r.head!.headers[0]).toEqual(['X-Name', 'caf\xe9'])
    expect(r.body).toBe('\x1f\x8b\x08')
  })

  test('framing violations throw ResponseParseError', () => {
    for (const text of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\n folded: header\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      expect(() => parse('GET', [text])).toThrow(ResponseParseError)
    }
  })

  test('repeated equal content-length values are accepted', () => {
    expect(parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok']).body).toBe('ok')
  })
})
