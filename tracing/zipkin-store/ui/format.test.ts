import { describe, expect, test } from 'bun:test'
import { formatDuration, servicePalette } from './format.ts'

describe('servicePalette', () => {
  test('distinct colours for every service of a set, up to and past the palette size', () => {
    for (const count of [2, 3, 10, 20, 35]) {
      const names = Array.from({ length: count }, (_, i) => `service-${i}`)
      const colourOf = servicePalette(names)
      expect(new Set(names.map(colourOf)).size).toBe(count)
    }
  })

  test('deterministic: the same set gives the same colours whatever the order', () => {
    const names = ['front-proxy', 'service1', 'service2', 'db', 'cache']
    const a = servicePalette(names)
    const b = servicePalette([...names].reverse())
    expect(names.map(a)).toEqual(names.map(b))
  })

  test('no service gets the error red', () => {
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`)
    expect(names.map(servicePalette(names))).not.toContain('#dc2626')
  })
})

test('formatDuration', () => {
  expect([undefined, 850, 1234, 12_345, 1_520_000].map(formatDuration)).toEqual(['—', '850µs', '1.23ms', '12.3ms', '1.52s'])
})
