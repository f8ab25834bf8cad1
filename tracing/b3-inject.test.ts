import { describe, expect, test } from 'bun:test'
import { extractB3 } from './b3-extract.ts'
import { injectB3 } from './b3-inject.ts'

const S = 'a2fb4a1d1a96d312'
const P = '0020000000000001'

const b3Of = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name === 'b3' || name.startsWith('x-b3-')))

describe('injectB3', () => {
  test('writes multi headers with parent, 64-bit id injected as 16 hex even when padded', () => {
    const headers = new Headers()
    injectB3(headers, { traceId: '0000000000000000463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true })
    expect(b3Of(headers)).toEqual({
      'x-b3-traceid': '463ac35c9f6413ad',
      'x-b3-spanid': S,
      'x-b3-parentspanid': P,
      'x-b3-sampled': '1',
    })
  })

  test('128-bit ids stay 32 hex; no parent means no x-b3-parentspanid; unsampled is 0', () => {
    const headers = new Headers()
    injectB3(headers, { traceId: '463AC35C9F6413AD48485A3953BB6124', spanId: S.toUpperCase(), sampled: false })
    expect(b3Of(headers)).toEqual({
      'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124',
      'x-b3-spanid': S,
      'x-b3-sampled': '0',
    })
  })

  test('removes a single b3 header and stale x-b3-* first', () => {
    const headers = new Headers({
      b3: '1111111111111111-2222222222222222-1-3333333333333333',
      'x-b3-parentspanid': '3333333333333333',
      'x-b3-flags': '1',
      'x-b3-sampled': '1',
      'x-request-id': 'kept',
    })
    injectB3(headers, { traceId: '463ac35c9f6413ad', spanId: S, sampled: false })
    expect(b3Of(headers)).toEqual({ 'x-b3-traceid': '463ac35c9f6413ad', 'x-b3-spanid': S, 'x-b3-sampled': '0' })
    expect(headers.get('x-request-id')).toBe('kept')
  })

  test('debug writes x-b3-flags: 1 and x-b3-sampled: 1 (Envoy does not read flags)', () => {
    const headers = new Headers()
    injectB3(headers, { traceId: '463ac35c9f6413ad', spanId: S, sampled: false, debug: true })
    expect(headers.get('x-b3-flags')).toBe('1')
    expect(headers.get('x-b3-sampled')).toBe('1')
  })

  test('what is injected extracts back to the same context', () => {
    const headers = new Headers()
    injectB3(headers, { traceId: '463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true, debug: true })
    expect(extractB3(headers)).toEqual({ traceId: '463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true, debug: true })
  })
})

describe('injectB3 single and both', () => {
  test('single writes only b3 (with parent and sampling) and removes stale multi headers', () => {
    const headers = new Headers({ 'x-b3-traceid': '1111111111111111', 'x-b3-spanid': '2222222222222222', 'x-b3-flags': '1', 'x-b3-sampled': '0' })
    injectB3(headers, { traceId: '463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true }, 'single')
    expect(b3Of(headers)).toEqual({ b3: `463ac35c9f6413ad-${S}-1-${P}` })
    expect(extractB3(headers)).toEqual({ traceId: '463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true, debug: false })
  })

  test('single: debug is d, unsampled is 0, no parent means three fields', () => {
    const debug = new Headers()
    injectB3(debug, { traceId: '463ac35c9f6413ad', spanId: S, sampled: false, debug: true }, 'single')
    expect(debug.get('b3')).toBe(`463ac35c9f6413ad-${S}-d`)
    const unsampled = new Headers()
    injectB3(unsampled, { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: S, sampled: false }, 'single')
    expect(unsampled.get('b3')).toBe(`463ac35c9f6413ad48485a3953bb6124-${S}-0`)
  })

  test('both writes the same context twice, and each form extracts to it', () => {
    const headers = new Headers()
    injectB3(headers, { traceId: '463ac35c9f6413ad', spanId: S, parentSpanId: P, sampled: true }, 'both')
    expect(b3Of(headers)).toEqual({
      b3: `463ac35c9f6413ad-${S}-1-${P}`,
      'x-b3-traceid': '463ac35c9f6413ad',
      'x-b3-spanid': S,
      'x-b3-parentspanid': P,
      'x-b3-sampled': '1',
    })
    const multiOnly = new Headers(headers)
    multiOnly.delete('b3')
    expect(extractB3(multiOnly)).toEqual(extractB3(headers)!)
  })
})
