import { describe, expect, test } from 'bun:test'
import { encodeChunk, HOP_BY_HOP_FIELDS, Http1ParseError, parseResponseHead, ResponseHeadRecord } from './codec.ts'
import { sentHead as requestHead } from './request-head.fixture.ts'
import { HOP_BY_HOP } from '../proxy/headers/hop-by-hop.ts'
import { ChunkedDecoder } from './chunked-decoder.ts'
import { decodeLatin1, encodeLatin1 } from './latin1.ts'
import { COMMON_NAMES } from './field-names.ts'

/** ResponseHead.headers (name, value, name, value…) as [name, value] pairs. */
const pairs = (fields: readonly string[]) => Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])

const bytes = (text: string) => encodeLatin1(text)

describe('requestHead', () => {
  test('sends our headers and host as given, and replaces the framing headers with the real one', () => {
    const headers = new Headers({ host: 'service1', 'content-length': '99', 'transfer-encoding': 'gzip', connection: 'close', 'x-a': '1' })
    expect(requestHead('POST', '/p?q=1', '127.0.0.1:8080', headers, 3)).toBe('POST /p?q=1 HTTP/1.1\r\nhost: service1\r\nx-a: 1\r\ncontent-length: 3\r\n\r\n')
  })
  test('names the endpoint when there is no host, chunked for a stream, length 0 for a bodiless POST', () => {
    expect(requestHead('PUT', '/', '10.0.0.1:80', new Headers(), 'chunked')).toBe('PUT / HTTP/1.1\r\nhost: 10.0.0.1:80\r\ntransfer-encoding: chunked\r\n\r\n')
    expect(requestHead('POST', '/', 'h:1', new Headers({ host: 'h' }), 'none')).toBe('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n')
    expect(requestHead('GET', '/', 'h:1', new Headers({ host: 'h' }), 'none')).toBe('GET / HTTP/1.1\r\nhost: h\r\n\r\n')
  })
  test('latin1 header bytes stay single bytes; a character with no byte form is refused', () => {
    expect([...encodeLatin1('é')]).toEqual([0xe9])
    expect(() => encodeLatin1('\u20ac')).toThrow(RangeError)
  })
  test('the ASCII fast path is exact, and every way out of it (obs-text, surrogates, above U+00FF) is caught', () => {
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('')
    expect([...encodeLatin1(ascii)]).toEqual(Array.from({ length: 128 }, (_, i) => i))
    expect([...encodeLatin1('a\x80b\xffc')]).toEqual([0x61, 0x80, 0x62, 0xff, 0x63])
    for (const bad of ['x: \ud800', 'x: \udc00y', 'x: \u{1f600}', 'x: \u0100']) expect(() => encodeLatin1(bad)).toThrow(RangeError)
  })
  test('a length that is not a non-negative safe integer is never written', () => {
    for (const bad of [Number.NaN, -1, 1.5, 2 ** 53]) expect(() => requestHead('POST', '/', 'h:1', new Headers(), bad)).toThrow(RangeError)
  })
})

describe('decodeLatin1', () => {
  test('every byte 0x00-0xFF comes back as the same code point (not windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const text = decodeLatin1(all)
    expect(Array.from(text, (c) => c.charCodeAt(0))).toEqual([...all])
    expect(decodeLatin1(Uint8Array.of(0x80, 0x9f))).toBe('\x80\x9f')
  })
})

describe('parseResponseHead', () => {
  test('heads parsed into one record: each replaces the last whole (status, reason, fields, framing, keep-alive, hop-by-hop)', () => {
    const record = new ResponseHeadRecord()
    const first = parseResponseHead(bytes('HTTP/1.1 200 OK\r\nConnection: close\r\nA: 1\r\nB: 2\r\ncontent-length: 7\r\n\r\n'), 'GET', 0, record)!
    expect(first).toBe(record)
    expect([first.status, first.statusText, pairs(first.headers), first.framing, first.keepAlive, first.hopByHop]).toEqual([200, 'OK', [['connection', 'close'], ['a', '1'], ['b', '2'], ['content-length', '7']], { kind: 'length', length: 7 }, false, true])
    const second = parseResponseHead(bytes('HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\n'), 'GET', 0, record)!
    expect([second.status, second.statusText, pairs(second.headers), second.framing, second.keepAlive, second.hopByHop, second.headBytes]).toEqual([404, 'Not Found', [['content-length', '3']], { kind: 'length', length: 3 }, true, false, 45])
    const third = parseResponseHead(bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), 'GET', 0, record)!
    expect([pairs(third.headers), third.framing]).toEqual([[], { kind: 'chunked' }])
  })

  test('names are lower-cased the same way past the bound of remembered spellings', () => {
    // 300 distinct names in heads of 60 (under the header limit), twice: the second time past the bound.
    const names = Array.from({ length: 300 }, (_, i) => `X-Name-${i}`)
    for (let round = 0; round < 2; round++) {
      for (let from = 0; from < names.length; from += 60) {
        const some = names.slice(from, from + 60)
        const head = parseResponseHead(bytes(`HTTP/1.1 204 No Content\r\n${some.map((n) => `${n}: v\r\n`).join('')}\r\n`), 'GET')!
        expect(pairs(head.headers).map(([name]) => name)).toEqual(some.map((n) => n.toLowerCase()))
      }
    }
  })
  test('common names in any case come back lower-cased; names that only look like them are kept as sent', () => {
    const head = parseResponseHead(bytes('HTTP/1.1 200 OK\r\nCoNtEnT-TyPe: a\r\nDATE: b\r\ncontent_type: c\r\nx-date: d\r\ndat~: e\r\nContent-Length: 0\r\n\r\n'), 'GET')!
    expect(pairs(head.headers)).toEqual([['content-type', 'a'], ['date', 'b'], ['content_type', 'c'], ['x-date', 'd'], ['dat~', 'e'], ['content-length', '0']])
    expect(head.framing).toEqual({ kind: 'length', length: 0 })
    // a transfer-coding spelled in capitals is still the framing, and Connection still hop-by-hop
    const chunked = parseResponseHead(bytes('HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: chunked\r\nCONNECTION: close\r\n\r\n'), 'GET')!
    expect(chunked.framing).toEqual({ kind: 'chunked' })
    expect(chunked.keepAlive).toBe(false)
    expect(chunked.hopByHop).toBe(true)
  })

  test('content-length: one to fifteen digits', () => {
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\ncontent-length: 999999999999999\r\n\r\n'), 'GET')!.framing).toEqual({ kind: 'length', length: 999999999999999 })
    for (const value of ['', '1234567890123456', '1e3', '\xb2', '-1', '1.0']) {
      expect(() => parseResponseHead(bytes(`HTTP/1.1 200 OK\r\ncontent-length: ${value}\r\n\r\n`), 'GET')).toThrow('bad content-length')
    }
  })

  test('obs-text bytes 0x80-0xFF in a value come back as the same code points', () => {
    const head = parseResponseHead(Uint8Array.from([...bytes('HTTP/1.1 200 OK\r\nx-v: '), 0x80, 0x9f, 0xa0, 0xff, ...bytes('\r\ncontent-length: 0\r\n\r\n')]), 'GET')!
    expect(pairs(head.headers)[0]).toEqual(['x-v', '\x80\x9f\xa0\xff'])
  })
  test('undefined until the blank line, then status, headers in order and length framing', () => {
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n'), 'GET')).toBeUndefined()
    const head = parseResponseHead(bytes('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 2\r\n\r\nok'), 'GET')!
    expect(head).toMatchObject({ status: 200, statusText: 'OK', headBytes: 72, keepAlive: true, framing: { kind: 'length', length: 2 } })
    expect(pairs(head.headers)).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-length', '2']])
  })
  test('chunked wins and its header is dropped; no length means until close, never reused', () => {
    const chunked = parseResponseHead(bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), 'GET')!
    expect(chunked.framing).toEqual({ kind: 'chunked' })
    expect(chunked.headers).toEqual([])
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\n\r\n'), 'GET')).toMatchObject({ framing: { kind: 'close' }, keepAlive: false })
  })
  test('hopByHop: set by any hop-by-hop field, Connection included, in any spelling; not by the others', () => {
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: x\r\nContent-Length: 0\r\n\r\n'), 'GET')!.hopByHop).toBe(false)
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), 'GET')!.hopByHop).toBe(false)
    for (const field of ['Connection: x-hop', 'connection: keep-alive', 'Keep-Alive: timeout=5', 'Proxy-Connection: close', 'proxy-authenticate: Basic', 'Proxy-Authorization: x', 'TE: trailers', 'Trailer: x-sum', 'Upgrade: h2c'])
      expect(parseResponseHead(bytes(`HTTP/1.1 200 OK\r\n${field}\r\ncontent-length: 0\r\n\r\n`), 'GET')!.hopByHop).toBe(true)
  })
  test('its hop-by-hop list is the proxy\'s', () => {
    expect([...HOP_BY_HOP_FIELDS].sort()).toEqual([...HOP_BY_HOP].sort())
  })
  test('HEAD, 1xx, 204 and 304 carry no body', () => {
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n'), 'HEAD')!.framing).toEqual({ kind: 'none' })
    for (const status of [100, 204, 304]) expect(parseResponseHead(bytes(`HTTP/1.1 ${status} X\r\n\r\n`), 'GET')!.framing).toEqual({ kind: 'none' })
  })
  test('connection: close and HTTP/1.0 without keep-alive end the socket', () => {
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 0\r\n\r\n'), 'GET')!.keepAlive).toBe(false)
    expect(parseResponseHead(bytes('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n'), 'GET')!.keepAlive).toBe(false)
    expect(parseResponseHead(bytes('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n'), 'GET')!.keepAlive).toBe(true)
  })
  test('malformed status lines, headers and conflicting lengths are errors; so is a head past the cap', () => {
    expect(() => parseResponseHead(bytes('HTTP/2 200\r\n\r\n'), 'GET')).toThrow(Http1ParseError)
    expect(() => parseResponseHead(bytes('HTTP/1.1 200 OK\r\nno colon\r\n\r\n'), 'GET')).toThrow(Http1ParseError)
    expect(() => parseResponseHead(bytes('HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n'), 'GET')).toThrow(Http1ParseError)
    expect(() => parseResponseHead(new Uint8Array(70 * 1024).fill(65), 'GET')).toThrow(Http1ParseError)
  })
  test('status codes outside 100-599 and garbage status lines are protocol errors', () => {
    for (const line of ['HTTP/1.1 999 Weird', 'HTTP/1.1 600 X', 'HTTP/1.1 099 X', 'HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1 abc', 'garbage', 'HTTP/1.1 200 O\x01K']) {
      expect(() => parseResponseHead(bytes(`${line}\r\ncontent-length: 0\r\n\r\n`), 'GET')).toThrow(Http1ParseError)
    }
    expect(parseResponseHead(bytes('HTTP/1.1 599\r\n\r\n'), 'GET')!.status).toBe(599)
  })
  test('obs-text bytes (0x80-0xFF) survive as latin1 in values and the reason phrase', () => {
    const head = parseResponseHead(Uint8Array.of(...bytes('HTTP/1.1 200 \xe9t\xe9\r\nx-a: '), 0x80, 0x9f, 0xff, ...bytes('\r\ncontent-length: 0\r\n\r\n')), 'GET')!
    expect(head.statusText).toBe('\xe9t\xe9')
    expect(pairs(head.headers)[0]).toEqual(['x-a', '\x80\x9f\xff'])
    expect(new Headers(pairs(head.headers) as [string, string][]).get('x-a')).toBe('\x80\x9f\xff')
  })
  test('folded lines, bare CR/LF, NUL, space before the colon and repeated lengths are refused', () => {
    for (const lines of [
      'x-a: 1\r\n  folded',
      'x-a: 1\r\n\tfolded',
      'x-a: 1\nx-b: 2',
      'x-a: 1\rx-b: 2',
      'x-a: 1\x00',
      'content-length : 2',
      'content-length: 2\r\ncontent-length: 2',
      'content-length: 2, 2',
      'content-length: +2',
      'content-length: 0x2',
      'transfer-encoding: chunked\r\ncontent-length: 2',
      'transfer-encoding: chunked, chunked',
      'transfer-encoding: ,',
      'transfer-encoding: "chunked"',
    ]) {
      expect(() => parseResponseHead(bytes(`HTTP/1.1 200 OK\r\n${lines}\r\n\r\n`), 'GET')).toThrow(Http1ParseError)
    }
  })
  test('each byte value in a field: control bytes but HTAB, and DEL, are refused by name; every other byte is kept', () => {
    for (let b = 0; b < 256; b++) {
      const wire = Uint8Array.of(...bytes('HTTP/1.1 200 OK\r\nx-a: a'), b, ...bytes('b\r\ncontent-length: 0\r\n\r\n'))
      const refused = (b < 0x20 && b !== 9) || b === 0x7f
      if (!refused) {
        expect(pairs(parseResponseHead(wire, 'GET')!.headers)[0]).toEqual(['x-a', `a${String.fromCharCode(b)}b`])
        continue
      }
      const why = b === 13 ? 'bare CR' : b === 10 ? 'bare LF' : `control byte 0x${b.toString(16).padStart(2, '0')}`
      expect(() => parseResponseHead(wire, 'GET')).toThrow(new Http1ParseError(`${why} in the response head`))
    }
  })
  test('a common name with any one byte made a non-tchar is a malformed line, not that name', () => {
    const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/
    for (const name of COMMON_NAMES) {
      for (let at = 0; at < name.length; at++) {
        for (let b = 0x20; b < 0x100; b++) {
          if (b === 0x7f || b === 0x3a || tchar.test(String.fromCharCode(b))) continue
          const wire = Uint8Array.of(...bytes(`HTTP/1.1 200 OK\r\n${name.slice(0, at)}`), b, ...bytes(`${name.slice(at + 1)}: v\r\n\r\n`))
          // a leading SP is a folded line, refused as such
          expect(() => parseResponseHead(wire, 'GET')).toThrow(at === 0 && b === 0x20 ? 'obs-fold' : 'malformed header line')
        }
      }
    }
  })
  test('a transfer-encoding whose last coding is not chunked is read until close', () => {
    for (const te of ['gzip', 'chunked, gzip', 'identity']) {
      expect(parseResponseHead(bytes(`HTTP/1.1 200 OK\r\ntransfer-encoding: ${te}\r\n\r\n`), 'GET')).toMatchObject({ framing: { kind: 'close' }, keepAlive: false })
    }
    expect(parseResponseHead(bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n'), 'GET')!.framing).toEqual({ kind: 'chunked' })
  })
  test('more than 100 header lines are refused', () => {
    const many = Array.from({ length: 101 }, (_, i) => `x-${i}: v`).join('\r\n')
    expect(() => parseResponseHead(bytes(`HTTP/1.1 200 OK\r\n${many}\r\n\r\n`), 'GET')).toThrow(Http1ParseError)
  })
})

describe('ChunkedDecoder', () => {
  const decodeInPieces = (wire: string, piece: number) => {
    const decoder = new ChunkedDecoder()
    let out = ''
    let consumed = 0
    const all = bytes(wire)
    for (let i = 0; i < all.byteLength && !decoder.done; i += piece) {
      const result = decoder.push(all.subarray(i, i + piece))
      consumed += result.consumed
      for (const data of result.data) out += new TextDecoder().decode(data)
    }
    return { out, done: decoder.done, consumed }
  }
  test('decodes whatever the piece size, drops extensions and trailers, stops at the end', () => {
    const wire = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nx-trailer: t\r\n\r\nNEXT'
    for (const piece of [1, 2, 3, 7, 100]) expect(decodeInPieces(wire, piece)).toEqual({ out: 'hello, world', done: true, consumed: wire.length - 4 })
  })
  test('bad sizes and data longer than its size are errors', () => {
    expect(() => new ChunkedDecoder().push(bytes('zz\r\n'))).toThrow(Http1ParseError)
    expect(() => new ChunkedDecoder().push(bytes('1\r\nab\r\n'))).toThrow(Http1ParseError)
  })
  test('bare LF or CR, signs, spaces inside, sizes past 2^52 and unbounded trailers are errors', () => {
    for (const wire of ['5\nhello\r\n', '1\r0\r\n', '-1\r\n', '+1\r\n', ' 1\r\n', '1 1\r\n', '0x1\r\n', '10000000000000\r\n', '1\r\na\n', '0\r\nbad trailer\r\n\r\n', `1;${'e'.repeat(5000)}\r\n`]) {
      expect(() => new ChunkedDecoder().push(bytes(wire))).toThrow(Http1ParseError)
    }
    const trailers = new ChunkedDecoder()
    trailers.push(bytes('0\r\n'))
    expect(() => {
      for (let i = 0; i < 2000; i++) trailers.push(bytes(`x-t${i}: ${'v'.repeat(40)}\r\n`))
    }).toThrow(Http1ParseError)
  })
  test('leading zeros, uppercase hex and whitespace before an extension are fine', () => {
    expect(decodeInPieces('0005 ;a=b\r\nhello\r\n000A\r\n0123456789\r\n00\r\n\r\n', 3)).toMatchObject({ out: 'hello0123456789', done: true })
  })
  test('encodeChunk frames one chunk', () => {
    expect(new TextDecoder().decode(encodeChunk(bytes('hello, world')))).toBe('c\r\nhello, world\r\n')
  })
})
