// Property-based tests of the request-head parser (fast-check): a valid head parses to the same
// record and leaves the same bytes behind whatever the split of its bytes into pieces, and any
// bytes at all (random, or a valid head with a byte changed) give the same verdict in any split:
// the same record, or the same RequestHeadError, and never another error type.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { encodeLatin1 } from './latin1.ts'
import { parseRequestHead, RequestHeadRecord } from './request-head.ts'
import { RequestHeadError } from './request-head-error.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS, type RequestHeadLimits } from './request-head-limits.ts'
import { RequestHeadReader } from './request-head-reader.ts'

const RUNS = { numRuns: 300 }

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 })
const fieldName = token.filter((name) => name.toLowerCase() !== 'host')
const valueByte = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09))
const latin1 = (codes: number[]) => String.fromCharCode(...codes)
const fieldValue = fc.array(valueByte, { maxLength: 30 }).map((codes) => latin1(codes).replace(/^[ \t]+|[ \t]+$/g, ''))
const ows = fc.constantFrom('', ' ', '\t', ' \t ')
// pchar and the query's extra "/?" as sent (the parser takes any VCHAR; these keep the target plausible)
const targetChar = fc.constantFrom(...'abcxyz019-._~!$&\'()*+,;=:@%/?'.split(''))
const originTarget = fc.array(targetChar, { maxLength: 30 }).map((chars) => `/${chars.join('')}`)

type HeadModel = {
  leading: number
  method: string
  target: string
  version: '1.0' | '1.1'
  hostAt: number
  host: string
  fields: { name: string; value: string; before: string; after: string }[]
  after: Uint8Array
}

const headModel: fc.Arbitrary<HeadModel> = fc.record({
  leading: fc.integer({ min: 0, max: 2 }),
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'), token.filter((m) => m !== 'CONNECT')),
  target: fc.oneof(originTarget, originTarget.map((path) => `http://a.example:8080${path}`)),
  version: fc.constantFrom<'1.0' | '1.1'>('1.0', '1.1'),
  hostAt: fc.integer({ min: 0, max: 12 }),
  host: fc.constantFrom('x', 'a.example', 'a.example:8000', '[::1]:80'),
  fields: fc.array(fc.record({ name: fieldName, value: fieldValue, before: ows, after: ows }), { maxLength: 12 }),
  after: fc.uint8Array({ maxLength: 40 }),
})

function headText(model: HeadModel): string {
  const lines = model.fields.map((f) => `${f.name}:${f.before}${f.value}${f.after}`)
  lines.splice(Math.min(model.hostAt, lines.length), 0, `Host: ${model.host}`)
  return `${'\r\n'.repeat(model.leading)}${model.method} ${model.target} HTTP/${model.version}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`
}

const join = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
}

/** Everything a parse tells, as plain data: the record's fields and the bytes left, or the error's status and code. */
type Verdict = { head: Record<string, unknown>; rest: number[] } | { error: [number, string] } | 'incomplete'

function snapshot(head: RequestHeadRecord): Record<string, unknown> {
  return { ...head, fields: [...head.fields] }
}

/** The verdict of a reader fed `bytes` in the pieces `cuts` makes (sorted offsets). */
function readInPieces(bytes: Uint8Array, cuts: number[], limits: RequestHeadLimits = DEFAULT_REQUEST_HEAD_LIMITS): Verdict {
  const reader = new RequestHeadReader(limits)
  let from = 0
  try {
    for (const cut of [...cuts, bytes.byteLength]) {
      // a fresh copy per piece: the reader keeps views of what it was given, as transports allow
      const head = reader.push(bytes.slice(from, Math.max(from, cut)))
      from = Math.max(from, cut)
      if (head !== undefined) {
        // whatever pieces came after the head's arrived piece are the rest too
        return { head: snapshot(head), rest: [...reader.rest, ...bytes.subarray(from)] }
      }
    }
    return 'incomplete'
  } catch (error) {
    if (!(error instanceof RequestHeadError)) throw error
    return { error: [error.status, error.code] }
  }
}

const cutsOf = (length: number) => fc.array(fc.integer({ min: 0, max: length }), { maxLength: 6 }).map((cuts) => cuts.sort((a, b) => a - b))

describe('request-head properties', () => {
  test('a valid head parses to its model in one piece', () => {
    fc.assert(
      fc.property(headModel, (model) => {
        const bytes = join(encodeLatin1(headText(model)), model.after)
        const head = parseRequestHead(bytes, DEFAULT_REQUEST_HEAD_LIMITS, new RequestHeadRecord())!
        expect(head.method).toBe(model.method)
        expect(head.target).toBe(model.target)
        expect(head.version).toBe(model.version === '1.1' ? 11 : 10)
        expect(head.host).toBe(model.host)
        const expected = model.fields.map((f) => [f.name.toLowerCase(), f.value])
        expected.splice(Math.min(model.hostAt, expected.length), 0, ['host', model.host])
        expect(head.fields).toEqual(expected.flat())
        expect(head.headBytes).toBe(headText(model).length)
      }),
      RUNS,
    )
  })

  test('a valid head split anywhere parses the same and leaves the same bytes', () => {
    fc.assert(
      fc.property(headModel.chain((model) => fc.tuple(fc.constant(model), cutsOf(headText(model).length + model.after.byteLength))), ([model, cuts]) => {
        const bytes = join(encodeLatin1(headText(model)), model.after)
        const whole = readInPieces(bytes, [])
        expect(whole).not.toBe('incomplete')
        expect('head' in (whole as object)).toBe(true)
        expect(readInPieces(bytes, cuts)).toEqual(whole)
      }),
      RUNS,
    )
  })

  test('every two-piece split of one head, byte by byte', () => {
    const text = `\r\nPOST /service/1/a?x=1 HTTP/1.1\r\nHost: a.example\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 3\r\nX-A:\t b \r\n\r\nabc`
    const bytes = encodeLatin1(text)
    const whole = readInPieces(bytes, [])
    for (let cut = 0; cut <= bytes.byteLength; cut++) expect(readInPieces(bytes, [cut])).toEqual(whole)
  })

  test('random bytes give one verdict in any split, and only RequestHeadError', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // mostly printable, with the separators that matter, so more inputs get past the first line
      fc.array(fc.oneof(fc.constantFrom(13, 10, 32, 58, 9, 47, 42), fc.integer({ min: 0x20, max: 0x7e })), { maxLength: 200 }).map((codes) => Uint8Array.from(codes)),
    )
    fc.assert(
      fc.property(bytes.chain((b) => fc.tuple(fc.constant(b), cutsOf(b.byteLength))), ([input, cuts]) => {
        expect(readInPieces(input, cuts)).toEqual(readInPieces(input, []))
      }),
      { numRuns: 1000 },
    )
  })

  test('a valid head with one byte changed, dropped or added gives one verdict in any split', () => {
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'drop', 'insert') })
    fc.assert(
      fc.property(headModel, edit, fc.array(fc.nat(), { maxLength: 5 }), (model, change, rawCuts) => {
        const clean = [...join(encodeLatin1(headText(model)), model.after)]
        const at = change.at % clean.length
        if (change.kind === 'set') clean[at] = change.byte
        else if (change.kind === 'drop') clean.splice(at, 1)
        else clean.splice(at, 0, change.byte)
        const input = Uint8Array.from(clean)
        const cuts = rawCuts.map((c) => c % (input.byteLength + 1)).sort((a, b) => a - b)
        expect(readInPieces(input, cuts)).toEqual(readInPieces(input, []))
      }),
      { numRuns: 1000 },
    )
  })

  test('under tight limits the verdict still does not depend on the split', () => {
    const limits: RequestHeadLimits = { maxRequestHeadersBytes: 60, maxRequestHeadersCount: 3, maxTargetBytes: 20 }
    fc.assert(
      fc.property(headModel.chain((model) => fc.tuple(fc.constant(model), cutsOf(headText(model).length))), ([model, cuts]) => {
        const bytes = encodeLatin1(headText(model))
        const whole = readInPieces(bytes, [], limits)
        expect(readInPieces(bytes, cuts, limits)).toEqual(whole)
        if ('error' in (whole as object)) expect([400, 414, 431]).toContain((whole as { error: [number, string] }).error[0])
      }),
      RUNS,
    )
  })
})
