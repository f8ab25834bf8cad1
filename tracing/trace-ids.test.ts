import { describe, expect, test } from 'bun:test'
import { createIdSource, parseSpanId, parseTraceId, toB3TraceId, toOtelTraceId } from './trace-ids.ts'

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

  test('64-bit ids are padded for OTel (the api view) and stripped on the way out; 128-bit ids pass unchanged', () => {
    expect(toOtelTraceId('463ac35c9f6413ad')).toBe('0000000000000000463ac35c9f6413ad')
    expect(toB3TraceId('0000000000000000463ac35c9f6413ad')).toBe('463ac35c9f6413ad')
    expect(toB3TraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124')
    expect(toOtelTraceId('463ac35c9f6413ad48485a3953bb6124')).toBe('463ac35c9f6413ad48485a3953bb6124')
    expect(toB3TraceId('463AC35C9F6413AD')).toBe('463ac35c9f6413ad')
  })

  test('generated ids: 64-bit trace ids by default, 128-bit on request, never all zeros, all distinct', () => {
    const ids64 = createIdSource()
    const ids128 = createIdSource({ traceId128Bit: true })
    expect(ids64.traceId()).toMatch(/^[0-9a-f]{16}$/)
    expect(ids64.spanId()).toMatch(/^[0-9a-f]{16}$/)
    expect(ids128.traceId()).toMatch(/^[0-9a-f]{32}$/)
    // Enough draws to use up and refill the pool several times.
    const seen = new Set(Array.from({ length: 2000 }, () => ids64.spanId()))
    expect(seen.size).toBe(2000)
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{16}$/)
    let fills = 0
    const zerosThenOnes = (words: Uint32Array) => void words.fill(fills++ === 0 ? 0 : 0x01010101)
    expect(createIdSource({ fill: zerosThenOnes }).spanId()).toBe('0101010101010101')
    expect(createIdSource({ fill: (words) => void words.fill(0) }).spanId()).toBe('0000000000000001')
    const counting = (words: Uint32Array) => void words.forEach((_, i) => (words[i] = 0xa0000000 + i))
    const countingIds = createIdSource({ fill: counting })
    // Each id is its two pooled words in hex; 128 ids use up a pool, the next one is from a refill.
    const drawn = Array.from({ length: 130 }, () => countingIds.spanId())
    expect(drawn[0]).toBe('a0000000a0000001')
    expect(drawn[1]).toBe('a0000002a0000003')
    expect(drawn[127]).toBe('a00000fea00000ff')
    expect(drawn[128]).toBe('a0000000a0000001')
    // A source stuck at zero yields 0...01 without consuming a word for it; later ids stay 16 hex.
    let calls = 0
    const zerosThenCounting = (words: Uint32Array) => (calls++ < 10 ? void words.fill(0) : counting(words))
    const odd = createIdSource({ fill: zerosThenCounting })
    expect(odd.spanId()).toBe('0000000000000001')
    for (let i = 0; i < 300; i++) expect(odd.spanId()).toMatch(/^[0-9a-f]{16}$/)
  })

  test('sequential ids (Runtime.sequentialStrings) are the same ids as the slices, 64- and 128-bit', () => {
    const counting = (words: Uint32Array) => void words.forEach((_, i) => (words[i] = 0xa0000000 + i * 0x01010101))
    for (const traceId128Bit of [false, true]) {
      const sliced = createIdSource({ fill: counting, traceId128Bit })
      const sequential = createIdSource({ fill: counting, traceId128Bit, sequential: true })
      // Past a refill, with trace and span ids interleaved as a request draws them.
      for (let i = 0; i < 200; i++) {
        expect(sequential.traceId()).toBe(sliced.traceId())
        expect(sequential.spanId()).toBe(sliced.spanId())
      }
    }
    expect(createIdSource({ fill: (words) => void words.fill(0), sequential: true }).spanId()).toBe('0000000000000001')
  })
})
