import { describe, expect, test } from 'bun:test'
import { extractB3 } from './b3-extract.ts'

const T64 = '463ac35c9f6413ad'
const T128 = '463ac35c9f6413ad48485a3953bb6124'
const S = 'a2fb4a1d1a96d312'
const P = '0020000000000001'

const h = (init: Record<string, string>) => new Headers(init)

describe('extractB3 multi headers', () => {
  test('full context with parent, sampled', () => {
    expect(
      extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1' })),
    ).toEqual({ traceId: T64, spanId: S, parentSpanId: P, sampled: true, debug: false })
  })

  test('128-bit trace id keeps its width; 64-bit keeps its width', () => {
    expect(extractB3(h({ 'x-b3-traceid': T128, 'x-b3-spanid': S }))?.traceId).toBe(T128)
    expect(extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S }))?.traceId).toBe(T64)
  })

  test('missing sampled flag means decide here, not drop', () => {
    const trace = extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S }))
    expect(trace?.sampled).toBeUndefined()
    expect(trace?.debug).toBe(false)
  })

  test('sampled values: 1 and true sample, anything else does not', () => {
    const sampled = (v: string) => extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S, 'x-b3-sampled': v }))?.sampled
    expect(sampled('1')).toBe(true)
    expect(sampled('true')).toBe(true)
    expect(sampled('0')).toBe(false)
    expect(sampled('false')).toBe(false)
  })

  test('x-b3-flags: 1 is debug and forces sampling, even over sampled 0', () => {
    expect(extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S, 'x-b3-flags': '1', 'x-b3-sampled': '0' }))).toEqual({
      traceId: T64,
      spanId: S,
      sampled: true,
      debug: true,
    })
    expect(extractB3(h({ 'x-b3-flags': '1' }))).toEqual({ sampled: true, debug: true })
  })

  test('sampled flag alone is a decision for a new root', () => {
    expect(extractB3(h({ 'x-b3-sampled': '0' }))).toEqual({ sampled: false, debug: false })
  })

  test('uppercase hex is normalised to lower case', () => {
    expect(
      extractB3(h({ 'x-b3-traceid': T128.toUpperCase(), 'x-b3-spanid': S.toUpperCase(), 'x-b3-parentspanid': 'ABCDEF0123456789' })),
    ).toEqual({ traceId: T128, spanId: S, parentSpanId: 'abcdef0123456789', sampled: undefined, debug: false })
  })

  test('malformed or incomplete contexts start a fresh trace', () => {
    expect(extractB3(h({}))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': T64 }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-spanid': S }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': 'xyz', 'x-b3-spanid': S }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': '', 'x-b3-spanid': S }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': T128 }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': T64, 'x-b3-spanid': S, 'x-b3-parentspanid': 'nope' }))).toBeUndefined()
    expect(extractB3(h({ 'x-b3-traceid': '0000000000000000', 'x-b3-spanid': S }))).toBeUndefined()
  })

  test('a headers object that throws is a fresh trace, not an exception', () => {
    expect(
      extractB3({
        get() {
          throw new Error('boom')
        },
      }),
    ).toBeUndefined()
  })
})

describe('extractB3 single header', () => {
  test('trace-span', () => {
    expect(extractB3(h({ b3: `${T64}-${S}` }))).toEqual({ traceId: T64, spanId: S, sampled: undefined, debug: false })
  })

  test('trace-span-sampled and trace-span-sampled-parent, 128-bit', () => {
    expect(extractB3(h({ b3: `${T128}-${S}-1` }))).toEqual({ traceId: T128, spanId: S, sampled: true, debug: false })
    expect(extractB3(h({ b3: `${T128}-${S}-0-${P}` }))).toEqual({
      traceId: T128,
      spanId: S,
      parentSpanId: P,
      sampled: false,
      debug: false,
    })
  })

  test('d is debug and sampled', () => {
    expect(extractB3(h({ b3: `${T64}-${S}-d-${P}` }))).toEqual({
      traceId: T64,
      spanId: S,
      parentSpanId: P,
      sampled: true,
      debug: true,
    })
  })

  test('sampling-only b3: 0, 1, d', () => {
    expect(extractB3(h({ b3: '0' }))).toEqual({ sampled: false, debug: false })
    expect(extractB3(h({ b3: '1' }))).toEqual({ sampled: true, debug: false })
    expect(extractB3(h({ b3: 'd' }))).toEqual({ sampled: true, debug: true })
  })

  test('single header wins over multi headers', () => {
    const trace = extractB3(h({ b3: `${T128}-${S}-1`, 'x-b3-traceid': T64, 'x-b3-spanid': P, 'x-b3-sampled': '0' }))
    expect(trace).toEqual({ traceId: T128, spanId: S, sampled: true, debug: false })
  })

  test('a malformed single header is a fresh trace even when multi headers are valid', () => {
    expect(extractB3(h({ b3: 'garbage', 'x-b3-traceid': T64, 'x-b3-spanid': S }))).toBeUndefined()
  })

  test('uppercase normalised', () => {
    expect(extractB3(h({ b3: `${T64.toUpperCase()}-${S.toUpperCase()}-D` }))).toEqual({
      traceId: T64,
      spanId: S,
      sampled: true,
      debug: true,
    })
  })

  test('malformed single headers', () => {
    for (const b3 of [
      '',
      '2',
      `${T64}`,
      `${T64}-`,
      `${T64}-${S}-`,
      `${T64}-${S}-x`,
      `${T64}-${S}-1-`,
      `${T64}-${S}-1-${P}-extra`,
      `${T64}-${S}-${P}`,
      `${T64.slice(1)}-${S}`,
      `${T64}-zzzzzzzzzzzzzzzz`,
      `${T128}0-${S}`,
      `${T64}-${S}-1-nothex`,
    ]) {
      expect({ b3, trace: extractB3(h({ b3 })) }).toEqual({ b3, trace: undefined })
    }
  })
})
