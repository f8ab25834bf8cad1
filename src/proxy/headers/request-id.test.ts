import { describe, expect, test } from 'bun:test'
import { requestIdFor, sequentialUuid } from './request-id.ts'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('x-request-id', () => {
  test('a valid incoming id is kept; a malformed one is replaced only when generating', () => {
    expect(requestIdFor('abc-123', true)).toBe('abc-123')
    expect(requestIdFor('bad id', false)).toBeUndefined()
    expect(requestIdFor(null, true)).toMatch(UUID_V4)
    expect(requestIdFor('bad id', true, true)).toMatch(UUID_V4)
  })

  test('sequential UUIDs are version 4, lower-case, distinct across refills', () => {
    // Enough to use up the pool of 64 several times.
    const ids = Array.from({ length: 500 }, sequentialUuid)
    for (const id of ids) expect(id).toMatch(UUID_V4)
    expect(new Set(ids).size).toBe(500)
    // The variant's two bits are 10: all four of 8, 9, a, b turn up.
    expect(new Set(ids.map((id) => id[19])).size).toBe(4)
  })
})
