import { describe, expect, test } from 'bun:test'
import { createIdGenerator, parseSpanId, parseTraceId, randomHex, toB3TraceId, toOtelTraceId } from './trace-ids.ts'

describe('trace ids', () => {
  test('parse keeps width, lower-cases, rejects malformed and zero ids', () => {
    expect(parseTraceId('463AC35C9F6413AD')).toBe('463ac35c9f6413ad')
    expect(parseTraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124')
    expect(parseTraceId('463ac35c9f6413a')).toBeUndefined()
    expect(parseTraceId('463ac35c9f6413adz')).toBeUndefined()
    expect(parseTraceId('463ac35c9f6413ad48485a3953bb61')).toBeUndefined()
    expect(parseTraceId('0000000000000000')).toBeUndefined()
    expect(parseTraceId('')).toBeUndefined()
    expect(parseSpanId('A2FB4A1D1A96D312')).toBe('a2fb4a1d1a96d312')
    expect(parseSpanId('a2fb4a1d1a96d312a2fb4a1d1a96d312')).toBeUndefined()
    expect(parseSpanId('0000000000000000')).toBeUndefined()
  })

  test('64-bit ids are padded for OTel and stripped on the way out; 128-bit ids pass unchanged', () => {
    expect(toOtelTraceId('463ac35c9f6413ad')).toBe('0000000000000000463ac35c9f6413ad')
    expect(toB3TraceId('0000000000000000463ac35c9f6413ad')).toBe('463ac35c9f6413ad')
    expect(toB3TraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124')
    expect(toOtelTraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124')
    expect(toB3TraceId('463AC35C9F6413AD')).toBe('463ac35c9f6413ad')
  })

  test('generated ids: 64-bit padded trace ids by default, 128-bit on request, never all zeros', () => {
    const gen64 = createIdGenerator()
    const gen128 = createIdGenerator({ traceId128Bit: true })
    expect(gen64.generateTraceId()).toMatch(/^0{16}[0-9a-f]{16}$/)
    expect(gen64.generateSpanId()).toMatch(/^[0-9a-f]{16}$/)
    expect(toB3TraceId(gen128.generateTraceId())).toMatch(/^[0-9a-f]{32}$/)
    let calls = 0
    const zerosThenOnes = (buf: Uint8Array) => buf.fill(calls++ === 0 ? 0 : 1)
    expect(randomHex(8, zerosThenOnes)).toBe('0101010101010101')
  })
})
