import { describe, expect, test } from 'bun:test'
import { normaliseSpanId, normaliseTraceId, traceKey } from './span-ids.ts'

describe('span ids', () => {
  test('trace ids: pad, lower-case, collapse a zero high half, reject junk', () => {
    expect(normaliseTraceId('ABC')).toEqual({ ok: true, id: '0000000000000abc' })
    expect(normaliseTraceId('0000000000000000463ac35c9f6413ad')).toEqual({ ok: true, id: '463ac35c9f6413ad' })
    expect(normaliseTraceId('1463ac35c9f6413ad')).toEqual({ ok: true, id: '0000000000000001463ac35c9f6413ad' })
    expect(normaliseTraceId('x'.repeat(16)).ok).toBe(false)
    expect(normaliseTraceId('a'.repeat(33)).ok).toBe(false)
    expect(normaliseTraceId('0'.repeat(16)).ok).toBe(false)
  })

  test('span ids are at most 16 hex characters and never all zeros', () => {
    expect(normaliseSpanId('F')).toEqual({ ok: true, id: '000000000000000f' })
    expect(normaliseSpanId('a'.repeat(17)).ok).toBe(false)
    expect(normaliseSpanId('0000').ok).toBe(false)
  })

  test('non-strict trace keys group by the low 64 bits', () => {
    expect(traceKey('4e441824ec2b6a44ffdc9bb9a6453df3', false)).toBe('ffdc9bb9a6453df3')
    expect(traceKey('4e441824ec2b6a44ffdc9bb9a6453df3', true)).toBe('4e441824ec2b6a44ffdc9bb9a6453df3')
  })
})
