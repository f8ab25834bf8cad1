// Property-based tests of the HTTP/1.1 codec (fast-check): random valid responses round-trip
// through a serializer and the reader whatever the split of the bytes; request heads and chunked
// bodies written by the client read back exactly; malformed heads and chunk sizes are rejected
// with Http1ParseError (never mis-framed, never another error type) in any split.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { ChunkedDecoder } from './chunked-decoder.ts'
import { encodeChunk, Http1ParseError, LAST_CHUNK, type ResponseHead } from './codec.ts'
import { sentHead as requestHead } from './request-head.fixture.ts'
import { encodeLatin1 } from './latin1.ts'
import { ResponseReader } from './response-reader.ts'

/** ResponseHead.headers (name, value, name, value…) as [name, value] pairs. */
const pairs = (fields: readonly string[]) => Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])

const RUNS = { numRuns: 200 }

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const FRAMING_NAMES = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive'])
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 16 })
const headerName = token.filter((name) => !FRAMING_NAMES.has(name.toLowerCase()))
// field-value: VCHAR and obs-text, with SP/HTAB inside (edges are OWS, trimmed by the reader).
const valueByte = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09))
const latin1 = (codes: number[]) => String.fromCharCode(...codes)
const headerValue = fc.array(valueByte, { maxLength: 40 }).map((codes) => latin1(codes).replace(/^[ \t]+|[ \t]+$/g, ''))
const ows = fc.constantFrom('', ' ', '\t', '  ')
const reason = fc.array(valueByte, { maxLength: 30 }).map(latin1)
const body = fc.uint8Array({ maxLength: 3000 })
const extension = fc.constantFrom('', ';a=b', ' ;x', ';q="v v"', ';k')

type Framing = 'length' | 'chunked' | 'close'
type ResponseModel = {
  interim: number[]
  status: number
  reason: string
  headers: { name: string; value: string; before: string; after: string }[]
  framing: Framing
  body: Uint8Array
  chunkSizes: number[]
  extensions: string[]
  trailers: [string, string][]
}

const responseModel: fc.Arbitrary<ResponseModel> = fc.record({
  interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
  reason,
  headers: fc.array(fc.record({ name: headerName, value: headerValue, before: ows, after: ows }), { maxLength: 12 }),
  framing: fc.constantFrom<Framing>('length', 'chunked', 'close'),
  body,
  chunkSizes: fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 8 }),
  extensions: fc.array(extension, { maxLength: 8 }),
  trailers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
})

const encoder = new TextEncoder()
const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.byteLength) - p.byteLength)
  return out
}

/** Serializes the model as an upstream would send it: heads in latin1, the body framed. */
function serialize(m: ResponseModel): Uint8Array {
  let head = m.interim.map((s) => `HTTP/1.1 ${s} Interim\r\n\r\n`).join('')
  head += `HTTP/1.1 ${m.status} ${m.reason}\r\n`
  for (const h of m.headers) head += `${h.name}:${h.before}${h.value}${h.after}\r\n`
  if (m.framing === 'length') head += `Content-Length: ${m.body.byteLength}\r\n`
  if (m.framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n'
  const parts = [encodeLatin1(`${head}\r\n`)]
  if (m.framing !== 'chunked') return join([...parts, m.body])
  let at = 0
  for (let i = 0; at < m.body.byteLength; i++) {
    const size = Math.min(m.chunkSizes[i % Math.max(1, m.chunkSizes.length)] ?? m.body.byteLength, m.body.byteLength - at)
    const ext = m.extensions[i % Math.max(1, m.extensions.length)] ?? ''
    parts.push(encoder.encode(`${size.toString(16)}${ext}\r\n`), m.body.subarray(at, at + size), encoder.encode('\r\n'))
    at += size
  }
  parts.push(encodeLatin1(`0\r\n${m.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`))
  return join(parts)
}

/** Cut points as fractions of the length, so every split of any input can be drawn. */
const splits = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 })

function pieces(wire: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * wire.byteLength)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let at = 0
  for (const p of [...points, wire.byteLength]) {
    if (p > at) out.push(wire.slice(at, p))
    at = Math.max(at, p)
  }
  return out
}

function read(wire: Uint8Array, cuts: number[], method = 'GET') {
  let head: ResponseHead | undefined
  const received: Uint8Array[] = []
  const reader = new ResponseReader(method, { head: (h) => void (head = h), body: (c) => void received.push(c.slice()) })
  for (const piece of pieces(wire, cuts)) reader.execute(piece)
  return { head, body: join(received), reader }
}

describe('valid responses round-trip through serializer and reader in any split', () => {
  test('status, reason, headers in order (obs-text kept), body bytes and reuse', () => {
    fc.assert(
      fc.property(responseModel, splits, (m, cuts) => {
        const { head, body: got, reader } = read(serialize(m), cuts)
        const closed = m.framing === 'close' ? reader.finish() : reader.done
        expect(closed).toBe(true)
        expect(head!.status).toBe(m.status)
        expect(head!.statusText).toBe(m.reason)
        const expected = m.headers.map((h) => [h.name.toLowerCase(), h.value])
        if (m.framing === 'length') expected.push(['content-length', String(m.body.byteLength)])
        expect(pairs(head!.headers)).toEqual(expected as [string, string][])
        expect(new Headers(pairs(head!.headers) as [string, string][]).get('x-never')).toBeNull() // every value a Headers can hold
        expect(Buffer.from(got).equals(Buffer.from(m.body))).toBe(true)
        expect(reader.reusable).toBe(m.framing !== 'close')
      }),
      RUNS,
    )
  })

  test('HEAD, 204 and 304 end with the head whatever they declare', () => {
    fc.assert(
      fc.property(fc.constantFrom(['HEAD', 200], ['GET', 204], ['GET', 304]), fc.integer({ min: 0, max: 1e9 }), splits, ([method, status], length, cuts) => {
        const { reader, body: got } = read(encoder.encode(`HTTP/1.1 ${status} X\r\ncontent-length: ${length}\r\n\r\n`), cuts, method as string)
        expect(reader.done && reader.reusable).toBe(true)
        expect(got.byteLength).toBe(0)
      }),
      RUNS,
    )
  })
})

describe("the client's writer reads back exactly", () => {
  test('chunked bodies from encodeChunk decode to the same bytes in any split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 500 }), { maxLength: 10 }), splits, (chunks, cuts) => {
        const wire = join([...chunks.map(encodeChunk), LAST_CHUNK])
        const decoder = new ChunkedDecoder()
        const out: Uint8Array[] = []
        let consumed = 0
        for (const piece of pieces(wire, cuts)) {
          const r = decoder.push(piece)
          consumed += r.consumed
          for (const d of r.data) out.push(d.slice())
        }
        expect(decoder.done).toBe(true)
        expect(consumed).toBe(wire.byteLength)
        expect(Buffer.from(join(out)).equals(Buffer.from(join(chunks)))).toBe(true)
      }),
      RUNS,
    )
  })

  test('request heads carry every header once, in order, and exactly one framing header', () => {
    const framing = fc.oneof(fc.constant<'none'>('none'), fc.constant<'chunked'>('chunked'), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
    const target = fc.string({ unit: fc.constantFrom(...'/abcXYZ019-._~%?=&'), minLength: 0, maxLength: 30 }).map((t) => `/${t}`)
    fc.assert(
      fc.property(token, target, fc.array(fc.tuple(headerName, headerValue), { maxLength: 10 }), framing, (method, path, pairs, body) => {
        const headers = new Headers()
        for (const [n, v] of pairs) headers.append(n, v)
        headers.set('content-length', 'NaN')
        headers.set('transfer-encoding', 'gzip, chunked')
        const lines = requestHead(method, path, '10.0.0.1:80', headers, body).split('\r\n')
        expect(lines[0]).toBe(`${method} ${path} HTTP/1.1`)
        expect(lines.slice(-2)).toEqual(['', ''])
        const written = lines.slice(1, -2).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])
        const framingLines = written.filter(([n]) => n === 'content-length' || n === 'transfer-encoding')
        if (body === 'chunked') expect(framingLines).toEqual([['transfer-encoding', 'chunked']])
        else if (typeof body === 'number') expect(framingLines).toEqual([['content-length', String(body)]])
        else expect(framingLines.length).toBeLessThanOrEqual(1)
        const expected: string[][] = []
        headers.forEach((v, n) => FRAMING_NAMES.has(n) || expected.push([n, v]))
        if (!headers.has('host')) expected.push(['host', '10.0.0.1:80'])
        expect(written.filter(([n]) => n !== 'content-length' && n !== 'transfer-encoding')).toEqual(expected)
      }),
      RUNS,
    )
  })
})

const valid = responseModel.filter((m) => m.framing !== 'close')
const badLength = fc.oneof(
  fc.constantFrom('-1', '+5', '1.5', '1e3', '0x10', '', ' ', 'NaN', 'Infinity', '9999999999999999', '5 5'),
  fc.integer({ min: 0, max: 1e6 }).map((n) => `${n}, ${n}`),
  fc.tuple(fc.integer({ min: 0, max: 1e6 }), fc.string({ unit: fc.constantFrom(...'abcxyz!-+/ '), minLength: 1, maxLength: 4 })).map(([n, s]) => `${n}${s}`.trim() + 'z'),
)
const headCorruption = fc.oneof(
  headerValue.map((v) => `x-folded: a\r\n ${v}`),
  headerValue.map((v) => `x-folded: a\r\n\t${v}`),
  fc.constantFrom('x-a: 1\nx-b: 2', 'x-a: 1\rx-b: 2', 'x-a: 1\x00', 'x-a : 1', ' x-a: 1', 'x a: 1', ': empty-name', 'no-colon'),
  badLength.map((v) => `Content-Length: ${v}`),
  fc.integer({ min: 0, max: 1e6 }).map((n) => `Content-Length: ${n}\r\nContent-Length: ${n}`),
  fc.integer({ min: 0, max: 1e6 }).map((n) => `Content-Length: ${n}\r\nTransfer-Encoding: chunked`),
  fc.constantFrom('Transfer-Encoding: chunked, chunked', 'Transfer-Encoding: "chunked"', 'Transfer-Encoding: chunked;'),
)
const hex = '0123456789abcdefABCDEF'
const badSizeLine = fc.oneof(
  fc.constantFrom('', ';ext', ' 5', '5 5', '-1', '+1', '0x5', '5\n', '5\r', '1\r0', 'ffffffffffffff'),
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...hex), maxLength: 3 }), fc.constantFrom(...'gGxXzZ+-.,:/=\x00\x7f'), fc.string({ unit: fc.constantFrom(...'abc;= 12'), maxLength: 6 }))
    .map(([digits, bad, rest]) => `${digits}${bad}${rest}`),
)

function rejects(wire: Uint8Array, cuts: number[]): boolean {
  try {
    read(wire, cuts)
    return false
  } catch (error) {
    if (error instanceof Http1ParseError) return true
    throw error
  }
}

describe('malformed responses are rejected, never mis-framed', () => {
  test('a corrupted header line (obs-fold, bare CR/LF, NUL, bad or repeated lengths, CL with TE) fails the head', () => {
    fc.assert(
      fc.property(valid, headCorruption, fc.nat(), splits, (m, corruption, at, cuts) => {
        const wire = new TextDecoder('latin1').decode(serialize(m))
        const start = wire.indexOf('\r\n', wire.lastIndexOf(`HTTP/1.1 ${m.status}`)) + 2
        const headEnd = wire.indexOf('\r\n\r\n', start)
        const lines = wire.slice(start, headEnd).split('\r\n').filter(Boolean)
        lines.splice(at % (lines.length + 1), 0, corruption)
        const corrupted = `${wire.slice(0, start)}${lines.join('\r\n')}${wire.slice(headEnd)}`
        expect(rejects(Uint8Array.from(corrupted, (c) => c.charCodeAt(0)), cuts)).toBe(true)
      }),
      RUNS,
    )
  })

  test('a status outside 100-599 or a garbled status line fails', () => {
    const status = fc.oneof(fc.integer({ min: 0, max: 99 }).map((s) => String(s).padStart(3, '0')), fc.integer({ min: 600, max: 999 }).map(String), fc.constantFrom('20', '2000', 'abc', '2OO', ''))
    fc.assert(
      fc.property(status, fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), splits, (code, version, cuts) => {
        expect(rejects(encoder.encode(`${version} ${code} X\r\ncontent-length: 0\r\n\r\n`), cuts)).toBe(true)
      }),
      RUNS,
    )
  })

  test('a malformed chunk-size line anywhere in the body fails', () => {
    fc.assert(
      fc.property(valid, badSizeLine, splits, (m, line, cuts) => {
        const wire = serialize({ ...m, framing: 'chunked', trailers: [] })
        const text = new TextDecoder('latin1').decode(wire)
        // Replace the size line of the last (zero) chunk: the body before it is fine, then it lies.
        const last = text.lastIndexOf('0\r\n\r\n')
        const corrupted = `${text.slice(0, last)}${line}\r\n`
        expect(rejects(Uint8Array.from(corrupted, (c) => c.charCodeAt(0)), cuts)).toBe(true)
      }),
      RUNS,
    )
  })

  test('arbitrary bytes never throw anything but Http1ParseError, and a parsed head is always representable', () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', 'HTTP/1.0 ')
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 400 }), splits, (start, noise, cuts) => {
        try {
          const { head } = read(join([encoder.encode(start), noise, encoder.encode('\r\n\r\n')]), cuts)
          if (head) {
            expect(head.status).toBeGreaterThanOrEqual(100)
            expect(head.status).toBeLessThan(600)
            new Headers(pairs(head.headers) as [string, string][])
            new Response(null, { status: head.status === 204 || head.status === 304 ? head.status : 200, statusText: head.statusText })
          }
        } catch (error) {
          if (!(error instanceof Http1ParseError)) throw error
        }
      }),
      { numRuns: 500 },
    )
  })
})
