import { describe, expect, test } from 'bun:test'
import { LineBytes } from './line-bytes.ts'

const decoder = new TextDecoder()
const encoder = new TextEncoder()
const written = (out: LineBytes) => out.bytes.slice(0, out.length)

describe('LineBytes', () => {
  test('text() writes what TextEncoder writes: ASCII, Latin-1, other planes, lone surrogates, empty', () => {
    for (const s of ['', 'GET', '/service/1?x=1', 'Mozilla/5.0 (ü)', 'é at the start', '日本語', '😀 emoji', 'lone \ud800 high', 'lone \udc00 low', 'end \ud83d']) {
      const out = new LineBytes(0)
      out.text('[')
      out.text(s)
      out.text(']')
      expect(written(out)).toEqual(encoder.encode(`[${s}]`))
    }
  })

  test('int() writes String(n) for every number, digits only where that is the same', () => {
    for (const n of [0, 7, 9, 10, 99, 100, 404, 65535, 1_000_000, 2_147_483_647, 2_147_483_648, 1e21, -1, -0, 1.5, 0.1, Number.NaN, Infinity, -Infinity]) {
      const out = new LineBytes(0)
      out.int(n)
      expect(decoder.decode(written(out))).toBe(String(n))
    }
  })

  test('it grows for a line longer than its array, keeping what was written', () => {
    const out = new LineBytes(0)
    const long = 'x'.repeat(5000)
    out.text('a')
    out.text(long)
    out.byte(10)
    out.append(encoder.encode('é'))
    out.int(123456)
    expect(decoder.decode(written(out))).toBe(`a${long}\né123456`)
    expect(out.bytes.length).toBeGreaterThanOrEqual(out.length)
  })
})
