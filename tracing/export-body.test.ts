import { describe, expect, test } from 'bun:test'
import { BodyBuffer, BodyBuffers } from './export-body.ts'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
/** What the exporter posted before: the parts joined into one string, then encoded. */
const joined = (parts: string[]) => new TextEncoder().encode(`[${parts.filter((p) => p !== '').join(',')}]`)

describe('BodyBuffer', () => {
  test('encodes the parts as one JSON array, the bytes of the joined string', () => {
    const parts = ['{"a":1},{"b":2}', '', '{"c":"x"}']
    expect(new BodyBuffer().encode(parts)).toEqual(joined(parts))
    expect(text(new BodyBuffer().encode([]))).toBe('[]')
    expect(text(new BodyBuffer().encode(['', '']))).toBe('[]')
  })

  test('non-ASCII tag values (two-, three- and four-byte characters) grow the buffer as they need', () => {
    // 40 000 characters, each 2-4 bytes: past the first 64 KiB at one byte a character.
    const wide = `{"t":"${'ü€😀'.repeat(10_000)}"}`
    const parts = [wide, '{"a":"ascii"}', wide]
    const body = new BodyBuffer().encode(parts)
    expect(body).toEqual(joined(parts))
    expect(JSON.parse(text(body))).toHaveLength(3)
  })

  test('a batch larger than the buffer grows it; a later, shorter batch in the same buffer is exact', () => {
    const buffer = new BodyBuffer()
    const big = Array.from({ length: 40 }, (_, i) => `{"id":"${i}","v":"${'x'.repeat(4000)}"}`)
    expect(buffer.encode(big)).toEqual(joined(big))
    const grown = buffer.capacity
    expect(grown).toBeGreaterThan(64 * 1024)
    const small = ['{"id":"s"}']
    expect(text(buffer.encode(small))).toBe('[{"id":"s"}]')
    expect(buffer.capacity).toBe(grown)
  })
})

describe('BodyBuffers', () => {
  test('a buffer given back is the next one taken; none is shared by two bodies in flight', () => {
    const buffers = new BodyBuffers()
    const first = buffers.take()
    const second = buffers.take()
    expect(second).not.toBe(first)
    buffers.give(first)
    expect(buffers.take()).toBe(first)
    expect(buffers.take()).not.toBe(first)
  })

  test('a buffer grown past 8 MiB is not kept', () => {
    const buffers = new BodyBuffers()
    const huge = buffers.take()
    huge.encode([`"${'x'.repeat(9 * 1024 * 1024)}"`])
    buffers.give(huge)
    expect(buffers.take()).not.toBe(huge)
  })
})
