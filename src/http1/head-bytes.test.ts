// The byte form of a request head is the text form (request-head.fixture.ts) encoded one byte per
// character, for any head; heads carved from the shared slab never change after they are handed out.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import type { RequestFraming } from './codec.ts'
import { requestHead } from './request-head.fixture.ts'
import { composed, composeRequestHead, rangeWritten, requestHeadBytes } from './head-bytes.ts'
import { encodeLatin1 } from './latin1.ts'

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 16 })
const name = fc.oneof(token, fc.constantFrom('host', 'Host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'))
// VCHAR and obs-text, SP/HTAB inside: what Headers holds (edges trimmed).
const valueByte = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09))
const value = fc.array(valueByte, { maxLength: 60 }).map((codes) => String.fromCharCode(...codes).replace(/^[ \t]+|[ \t]+$/g, ''))
const framing = fc.oneof(fc.constantFrom<RequestFraming>('none', 'chunked'), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'DELETE'), token)
const target = fc.string({ unit: fc.constantFrom(...'/abcXYZ019-._~%?=&'), maxLength: 30 }).map((t) => `/${t}`)

const headersOf = (pairs: [string, string][]) => {
  const headers = new Headers()
  for (const [n, v] of pairs) headers.append(n, v)
  return headers
}

describe('requestHeadBytes', () => {
  test('is requestHead one byte per character, for any method, target, fields and framing', () => {
    fc.assert(
      fc.property(method, target, fc.array(fc.tuple(name, value), { maxLength: 12 }), framing, (m, t, pairs, body) => {
        const headers = headersOf(pairs)
        expect([...requestHeadBytes(m, t, '10.0.0.1:80', headers, body)]).toEqual([...encodeLatin1(requestHead(m, t, '10.0.0.1:80', headers, body))])
      }),
      { numRuns: 300 },
    )
  })

  test('with a block: its prepared bytes, then its pairs, right after the Headers\' fields, as requestHead writes them', () => {
    const blockName = token.filter((n) => !['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(n.toLowerCase())).map((n) => n.toLowerCase())
    const plain = fc.string({ unit: fc.constantFrom(...TCHAR), maxLength: 40 })
    fc.assert(
      fc.property(method, target, fc.array(fc.tuple(name, value), { maxLength: 8 }), fc.array(fc.tuple(blockName, plain), { maxLength: 4 }), fc.array(fc.tuple(blockName, plain), { maxLength: 6 }), framing, (m, t, pairs, fixed, added, body) => {
        const headers = headersOf(pairs)
        const block = { prepared: fixed.length === 0 ? null : encodeLatin1(fixed.map(([n, v]) => `${n}: ${v}\r\n`).join('')), pairs: added.flat() }
        expect([...requestHeadBytes(m, t, '10.0.0.1:80', headers, body, null, block)]).toEqual([...encodeLatin1(requestHead(m, t, '10.0.0.1:80', headers, body, block))])
      }),
      { numRuns: 200 },
    )
    const head = new TextDecoder().decode(requestHeadBytes('POST', '/a', 'h:1', new Headers({ accept: '*/*' }), 2, new Uint8Array([104, 105]), { prepared: encodeLatin1('x-forwarded-proto: http\r\n'), pairs: ['x-request-id', 'r1'] }))
    expect(head).toBe('POST /a HTTP/1.1\r\naccept: */*\r\nx-forwarded-proto: http\r\nx-request-id: r1\r\nhost: h:1\r\ncontent-length: 2\r\n\r\nhi')
  })

  test('a head handed out is never overwritten by the heads after it, across slabs', () => {
    const heads: [Uint8Array, number[]][] = []
    // ~2 000 heads of ~120 bytes and a few of 100 KiB: several 64 KiB slabs, one head larger than a slab.
    for (let i = 0; i < 2_000; i++) {
      const headers = new Headers({ host: 'service1', 'x-i': String(i), 'x-pad': i % 500 === 7 ? 'p'.repeat(100_000) : 'q'.repeat(i % 90) })
      const bytes = requestHeadBytes('GET', `/n/${i}`, 'h:1', headers, 'none')
      heads.push([bytes, [...encodeLatin1(requestHead('GET', `/n/${i}`, 'h:1', headers, 'none'))]])
    }
    for (const [bytes, expected] of heads) expect([...bytes]).toEqual(expected)
  })

  test('refuses what encodeLatin1 and requestHead refuse, and the next head is whole', () => {
    expect(() => requestHeadBytes('GET', '/\u20ac', 'h:1', new Headers(), 'none')).toThrow(RangeError)
    expect(() => requestHeadBytes('GET', '/', 'h:\u0100', new Headers(), 'none')).toThrow(RangeError)
    for (const bad of [Number.NaN, -1, 1.5, 2 ** 53]) expect(() => requestHeadBytes('POST', '/', 'h:1', new Headers(), bad)).toThrow(RangeError)
    const text = requestHead('GET', '/ok', 'h:1', new Headers({ a: 'b' }), 'none')
    expect([...requestHeadBytes('GET', '/ok', 'h:1', new Headers({ a: 'b' }), 'none')]).toEqual([...encodeLatin1(text)])
  })

  test('bytes given to follow the head come right after it in the same view, across slabs, and nothing after overwrites them', () => {
    const made: [Uint8Array, number[]][] = []
    // Bodies of 1 B to 16 KiB: several slabs fill up, and a head with its body moves to a new one whole.
    for (let i = 0; i < 300; i++) {
      const body = new Uint8Array(1 + ((i * 977) % (16 * 1024))).fill(i % 256)
      const headers = new Headers({ host: 'service1', 'x-i': String(i) })
      const bytes = requestHeadBytes('POST', `/n/${i}`, 'h:1', headers, body.byteLength, body)
      made.push([bytes, [...encodeLatin1(requestHead('POST', `/n/${i}`, 'h:1', headers, body.byteLength)), ...body]])
    }
    for (const [bytes, expected] of made) expect([...bytes]).toEqual(expected)
  })

  test('a composed head written as a range (rangeWritten) is written over by the next; no head made after it is', () => {
    const fields = (i: number) => new Headers({ 'x-i': String(i) })
    const make = (i: number) => {
      composeRequestHead('GET', `/w/${i}`, 'h:1', fields(i), 'none')
      return { ...composed }
    }
    const bytesOf = (c: { slab: Uint8Array; start: number; end: number }) => [...c.slab.subarray(c.start, c.end)]
    const expected = (i: number) => [...encodeLatin1(requestHead('GET', `/w/${i}`, 'h:1', fields(i), 'none'))]
    const first = make(1)
    expect(bytesOf(first)).toEqual(expected(1))
    rangeWritten(first.slab, first.start, first.end)
    const second = make(2)
    expect(second.start).toBe(first.start)
    expect(bytesOf(second)).toEqual(expected(2))
    // A head made after it (here a view handed out): giving `second` back changes nothing.
    const third = requestHeadBytes('GET', '/w/3', 'h:1', fields(3), 'none')
    rangeWritten(second.slab, second.start, second.end)
    const fourth = make(4)
    expect(fourth.start).toBe(third.byteOffset + third.byteLength)
    expect([...third]).toEqual(expected(3))
    expect(bytesOf(second)).toEqual(expected(2))
    rangeWritten(fourth.slab, fourth.start, fourth.end)
    const fifth = make(5)
    expect(fifth.start).toBe(fourth.start)
    expect(bytesOf(fifth)).toEqual(expected(5))
  })
})
