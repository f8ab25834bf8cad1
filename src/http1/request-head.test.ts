import { describe, expect, test } from 'bun:test'
import { HeaderSnapshot } from './header-snapshot.ts'
import { framingErrorOf } from '../proxy/request-framing.ts'
import { encodeLatin1 } from './latin1.ts'
import { parseRequestHead, RequestHeadRecord } from './request-head.ts'
import { RequestHeadError } from './request-head-error.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS, type RequestHeadLimits } from './request-head-limits.ts'
import { RequestHeadReader } from './request-head-reader.ts'

const parse = (text: string, limits: RequestHeadLimits = DEFAULT_REQUEST_HEAD_LIMITS) => parseRequestHead(encodeLatin1(text), limits, new RequestHeadRecord())

/** The error a head is refused with, as [status, code]; fails the test when it parses. */
function refusal(text: string, limits?: RequestHeadLimits): [number, string] {
  try {
    parse(text, limits)
  } catch (error) {
    if (!(error instanceof RequestHeadError)) throw error
    return [error.status, error.code]
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`)
}

const H = 'Host: x\r\n'

describe('the request line', () => {
  test('method, target, version and the blank line', () => {
    const text = 'GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n'
    const head = parse(text)!
    expect([head.method, head.target, head.targetForm, head.version, head.headBytes]).toEqual(['GET', '/a/b?c=d', 'origin', 11, text.length])
    expect(parse(`POST /x HTTP/1.0\r\n\r\n`)!.version).toBe(10)
  })

  test('any token is a method: what an unknown one gets is the path\'s call', () => {
    expect(parse(`FOO /a HTTP/1.1\r\n${H}\r\n`)!.method).toBe('FOO')
    expect(parse(`get /a HTTP/1.1\r\n${H}\r\n`)!.method).toBe('get')
    expect(refusal(`G(T /a HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.codec_error'])
  })

  test('one SP between the parts, nothing else', () => {
    for (const line of ['GET  /a HTTP/1.1', 'GET /a  HTTP/1.1', ' GET /a HTTP/1.1', 'GET /a HTTP/1.1 ', 'GET /a', 'GET', 'GET /a b HTTP/1.1'])
      expect(refusal(`${line}\r\n${H}\r\n`)[0]).toBe(400)
  })

  test('HTTP/1.0 and 1.1 are served, another HTTP/d.d is 505, anything else 400', () => {
    for (const version of ['HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/3.1']) expect(refusal(`GET /a ${version}\r\n${H}\r\n`)[0]).toBe(505)
    // the HTTP/2 connection preface (prior-knowledge h2c) is a 505 here: a listener that serves h2c must see it first
    expect(refusal('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toEqual([505, 'http1.codec_error'])
    for (const version of ['http/1.1', 'HTTP/1.10', 'HTTP/1', 'HTTP/11', 'HTTPS/1.1', 'HTTP/1.x']) expect(refusal(`GET /a ${version}\r\n${H}\r\n`)[0]).toBe(400)
  })

  test('target forms: origin, absolute (http and https), * for OPTIONS only, authority for CONNECT only', () => {
    expect(parse(`GET http://other.example/x HTTP/1.1\r\n${H}\r\n`)!.targetForm).toBe('absolute')
    expect(parse(`GET HTTPS://other.example:8443?q HTTP/1.1\r\n${H}\r\n`)!.targetForm).toBe('absolute')
    expect(parse(`OPTIONS * HTTP/1.1\r\n${H}\r\n`)!.targetForm).toBe('asterisk')
    expect(parse(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`)!.targetForm).toBe('authority')
    expect(parse(`CONNECT [::1]:443 HTTP/1.1\r\n${H}\r\n`)!.target).toBe('[::1]:443')
    for (const bad of ['GET *', 'GET example.com:443', 'GET service/1', 'GET ftp://a/x', 'GET http://', 'GET http:///x', 'GET http://user@a/x', 'CONNECT /x', 'CONNECT example.com', 'CONNECT example.com:', 'CONNECT a:123456', 'CONNECT a/b:443', 'CONNECT u@a:443', 'CONNECT http://a:443', 'OPTIONS **'])
      expect(refusal(`${bad} HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.invalid_url'])
  })

  test('the target holds VCHARs only: a raw byte past 0x7E or a tab is refused; the path percent-encodes the rest', () => {
    expect(parse(`GET /a"b<c>{d}^e\`f|g HTTP/1.1\r\n${H}\r\n`)!.target).toBe('/a"b<c>{d}^e`f|g')
    expect(refusal(`GET /caf\xe9 HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.invalid_url'])
    expect(refusal(`GET /a\tb HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.invalid_url'])
  })

  test('empty lines before the request line are skipped (RFC 9112 §2.2) and counted in headBytes', () => {
    const text = `\r\n\r\nGET /a HTTP/1.1\r\n${H}\r\n`
    const head = parse(`${text}GET`)!
    expect([head.method, head.headBytes]).toEqual(['GET', text.length])
    expect(refusal(`\nGET /a HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.invalid_characters'])
  })
})

describe('fields', () => {
  test('names lower-cased, values OWS-trimmed, arrival order, repeats apart, empty values kept', () => {
    const head = parse(`GET / HTTP/1.1\r\nHost: x\r\nX-Custom-Name:\t a b \t\r\nAccept: */*\r\nx-custom-name: 2\r\nX-Empty:\r\n\r\n`)!
    expect(head.fields).toEqual(['host', 'x', 'x-custom-name', 'a b', 'accept', '*/*', 'x-custom-name', '2', 'x-empty', ''])
  })

  test('obs-text is a value byte, carried as one character per byte', () => {
    expect(parse(`GET / HTTP/1.1\r\n${H}X-A: caf\xe9\r\n\r\n`)!.fields[3]).toBe('caf\xe9')
  })

  test('the record is reused: a shorter head after a longer one leaves nothing of it', () => {
    const record = new RequestHeadRecord()
    parseRequestHead(encodeLatin1(`POST /long HTTP/1.1\r\n${H}A: 1\r\nB: 2\r\nConnection: close\r\nContent-Length: 3\r\n\r\n`), DEFAULT_REQUEST_HEAD_LIMITS, record)
    parseRequestHead(encodeLatin1(`GET / HTTP/1.1\r\n${H}\r\n`), DEFAULT_REQUEST_HEAD_LIMITS, record)
    expect([record.method, record.fields, record.contentLength, record.connectionClose, record.keepAlive, record.hopByHop]).toEqual(['GET', ['host', 'x'], null, false, true, false])
  })

  test('HeaderSnapshot takes the fields through forEach, as it takes a Headers', () => {
    const head = parse(`GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: wrk\r\nX-B3-TraceId: 1\r\n\r\n`)!
    const snapshot = new HeaderSnapshot(head as unknown as Headers)
    expect([snapshot.get('host'), snapshot.get('User-Agent'), snapshot.get('x-b3-traceid')]).toEqual(['x', 'wrk', '1'])
  })

  test('obs-fold, whitespace before the colon or the first field, no colon, an empty or non-token name: 400', () => {
    for (const line of ['X-A: b\r\n c', 'X-A: b\r\n\tc', 'X-A : b', 'X-A\t: b', 'Foo', ': 1', 'F(o: 1', 'F o: 1', 'X-\xe9: 1'])
      expect(refusal(`GET / HTTP/1.1\r\n${H}${line}\r\n\r\n`)[0]).toBe(400)
    expect(refusal(`GET / HTTP/1.1\r\n Host: x\r\n\r\n`)[0]).toBe(400)
  })
})

describe('bytes no head may hold', () => {
  test('NUL, other control bytes and DEL, in a value, a name or the request line: 400 invalid_characters', () => {
    for (const code of [0, 1, 8, 11, 12, 27, 31, 127]) {
      const c = String.fromCharCode(code)
      expect(refusal(`GET / HTTP/1.1\r\n${H}X-A: b${c}c\r\n\r\n`)).toEqual([400, 'http1.invalid_characters'])
      expect(refusal(`GET / HTTP/1.1\r\n${H}X${c}A: b\r\n\r\n`)).toEqual([400, 'http1.invalid_characters'])
      expect(refusal(`GET /a${c}b HTTP/1.1\r\n${H}\r\n`)).toEqual([400, 'http1.invalid_characters'])
    }
    expect(parse(`GET / HTTP/1.1\r\n${H}X-A: b\tc\r\n\r\n`)!.fields[3]).toBe('b\tc')
  })

  test('a bare CR or a bare LF anywhere is refused, as codec.ts refuses them in responses', () => {
    expect(refusal(`GET / HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`)).toEqual([400, 'http1.invalid_characters'])
    expect(refusal('GET / HTTP/1.1\nHost: x\nX-A: b\n\n')).toEqual([400, 'http1.invalid_characters'])
    expect(refusal(`GET / HTTP/1.1\r\n${H}\n`)).toEqual([400, 'http1.invalid_characters'])
    expect(refusal(`GET / HTTP/1.1\r${H}\r\n`)).toEqual([400, 'http1.invalid_characters'])
  })
})

describe('Host', () => {
  test('HTTP/1.1 needs exactly one; HTTP/1.0 may go without (the path answers that)', () => {
    expect(refusal('GET / HTTP/1.1\r\n\r\n')).toEqual([400, 'missing_host_header'])
    expect(refusal('GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n')).toEqual([400, 'http1.duplicate_host'])
    expect(refusal('GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n')).toEqual([400, 'http1.duplicate_host'])
    expect(parse('GET / HTTP/1.0\r\n\r\n')!.host).toBeNull()
    expect(parse('GET / HTTP/1.1\r\nHOST:  a.example:8000 \r\n\r\n')!.host).toBe('a.example:8000')
  })
})

describe('what the walk notes', () => {
  test('framing fields as Headers.get joins them: what framingErrorOf judges', () => {
    const two = parse(`POST / HTTP/1.1\r\n${H}Content-Length: 3\r\ncontent-length: 3\r\n\r\n`)!
    expect(two.contentLength).toBe('3, 3')
    expect(framingErrorOf(two.contentLength, two.transferEncoding)?.why).toBe('more than one Content-Length')
    const both = parse(`POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n`)!
    expect(framingErrorOf(both.contentLength, both.transferEncoding)?.code).toBe('http1.content_length_and_chunked_not_allowed')
    const twice = parse(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n`)!
    expect([twice.transferEncoding, framingErrorOf(twice.contentLength, twice.transferEncoding)?.code]).toEqual(['chunked, chunked', 'http1.invalid_transfer_encoding'])
    const old = parse(`POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n`)!
    expect(framingErrorOf(old.contentLength, old.transferEncoding, old.version === 10)?.why).toBe('Transfer-Encoding on HTTP/1.0')
    const plain = parse(`POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\n`)!
    expect([plain.contentLength, plain.transferEncoding, plain.hopByHop]).toEqual(['5', null, false])
  })

  test('Connection tokens and keep-alive: 1.1 unless close, 1.0 only with keep-alive', () => {
    const of = (version: string, connection: string | null) => {
      const head = parse(`GET / HTTP/${version}\r\n${H}${connection === null ? '' : `Connection: ${connection}\r\n`}\r\n`)!
      return [head.connectionClose, head.connectionKeepAlive, head.connectionUpgrade, head.keepAlive, head.hopByHop]
    }
    expect(of('1.1', null)).toEqual([false, false, false, true, false])
    expect(of('1.1', 'Close')).toEqual([true, false, false, false, true])
    expect(of('1.1', 'keep-alive, Upgrade')).toEqual([false, true, true, true, true])
    expect(of('1.0', null)).toEqual([false, false, false, false, false])
    expect(of('1.0', ' Keep-Alive ')).toEqual([false, true, false, true, true])
    expect(of('1.0', 'keep-alive, close')).toEqual([true, true, false, false, true])
    expect(of('1.1', 'xclose, closed')).toEqual([false, false, false, true, true])
  })

  test('Upgrade, Expect and the other hop-by-hop fields', () => {
    const ws = parse(`GET /ws HTTP/1.1\r\n${H}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`)!
    expect([ws.upgrade, ws.connectionUpgrade, ws.hopByHop]).toEqual(['websocket', true, true])
    const expect100 = parse(`POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 3\r\n\r\n`)!
    expect(expect100.expect).toBe('100-continue')
    for (const name of ['TE', 'Keep-Alive', 'Proxy-Connection', 'Trailer', 'Proxy-Authorization']) expect(parse(`GET / HTTP/1.1\r\n${H}${name}: x\r\n\r\n`)!.hopByHop).toBe(true)
  })
})

describe('limits', () => {
  const limits: RequestHeadLimits = { maxRequestHeadersBytes: 200, maxRequestHeadersCount: 4, maxTargetBytes: 50 }

  test('Envoy\'s count (names, values, 4 a field, method and target without ?) against maxRequestHeadersBytes: 431', () => {
    const head = parse(`GET /a?b HTTP/1.1\r\nHost: x\r\nX-A: yy\r\n\r\n`)!
    expect(head.headerBytes).toBe(4 + 1 + 4 + 3 + 2 + 4)
    // the request line counts 3 + 4 - 1 = 6: 200 - 6 - 9 (host) = 185 left for one more field
    const filler = (n: number) => `GET /a?b HTTP/1.1\r\nHost: x\r\nX: ${'v'.repeat(n - 5)}\r\n\r\n`
    expect(parse(filler(185), limits)).toBeDefined()
    expect(refusal(filler(186), limits)).toEqual([431, 'http1.headers_too_large'])
  })

  test('more fields than maxRequestHeadersCount: 431', () => {
    const fields = (n: number) => `GET / HTTP/1.1\r\n${H}${Array.from({ length: n - 1 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`
    expect(parse(fields(4), limits)!.fields).toHaveLength(8)
    expect(refusal(fields(5), limits)).toEqual([431, 'http1.too_many_headers'])
  })

  test('a target longer than maxTargetBytes: 414; without that limit it counts toward the 431', () => {
    expect(parse(`GET /${'a'.repeat(49)} HTTP/1.1\r\n${H}\r\n`, limits)).toBeDefined()
    expect(refusal(`GET /${'a'.repeat(50)} HTTP/1.1\r\n${H}\r\n`, limits)).toEqual([414, 'http1.target_too_long'])
    const noTargetLimit = { maxRequestHeadersBytes: 200, maxRequestHeadersCount: 4 }
    expect(refusal(`GET /${'a'.repeat(190)} HTTP/1.1\r\n${H}\r\n`, noTargetLimit)).toEqual([431, 'http1.headers_too_large'])
  })

  test('the defaults are the listener\'s: 60 KiB and 100 fields (the hostile corpus\'s 61 KiB heads get 431)', () => {
    expect(refusal(`GET /service/1/a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(61 * 1024)}\r\n\r\n`)[0]).toBe(431)
    expect(refusal(`GET /service/1/${'a'.repeat(61 * 1024)} HTTP/1.1\r\n${H}\r\n`)[0]).toBe(431)
    expect(parse(`GET /service/1/a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`)).toBeDefined()
  })

  test('a head that never ends is refused once it passes twice the limit, 414 while the request line has not ended', () => {
    const reader = new RequestHeadReader(limits)
    expect(reader.push(encodeLatin1(`GET / HTTP/1.1\r\n${H}`))).toBeUndefined()
    let error: unknown
    try {
      for (let i = 0; i < 100; i++) reader.push(encodeLatin1('X-A: 123456\r\n'))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RequestHeadError)
    expect((error as RequestHeadError).status).toBe(431)
    const line = new RequestHeadReader(limits)
    expect(() => line.push(encodeLatin1(`GET /${'a'.repeat(500)}`))).toThrow(expect.objectContaining({ status: 414 }))
    const blank = new RequestHeadReader(limits)
    expect(() => blank.push(encodeLatin1('\r\n'.repeat(300)))).toThrow(expect.objectContaining({ status: 431 }))
  })
})

describe('RequestHeadReader', () => {
  test('a head in pieces, then what follows it left in rest: a body and a pipelined request', () => {
    const reader = new RequestHeadReader(DEFAULT_REQUEST_HEAD_LIMITS)
    expect(reader.push(encodeLatin1('POST /a HTTP/1.1\r\nHo'))).toBeUndefined()
    expect(reader.pending).toBe(true)
    expect(reader.push(encodeLatin1('st: x\r\nContent-Length: 3\r'))).toBeUndefined()
    const head = reader.push(encodeLatin1('\n\r\nabcGET /b HTTP/1.1\r\nHost: y\r\n\r\n'))!
    expect([head.method, head.target, head.contentLength, reader.pending]).toEqual(['POST', '/a', '3', false])
    const rest = new TextDecoder().decode(reader.rest)
    expect(rest).toBe('abcGET /b HTTP/1.1\r\nHost: y\r\n\r\n')
    const next = reader.push(reader.rest.subarray(3))!
    expect([next.method, next.target, next.host, reader.rest.byteLength]).toEqual(['GET', '/b', 'y', 0])
  })

  test('the head is the reader\'s one record', () => {
    const reader = new RequestHeadReader(DEFAULT_REQUEST_HEAD_LIMITS)
    expect(reader.push(encodeLatin1(`GET / HTTP/1.1\r\n${H}\r\n`))).toBe(reader.head)
  })
})
