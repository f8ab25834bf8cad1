import { describe, expect, test } from 'bun:test'
import { countFields, mayHoldMoreFields } from './header-count.ts'

describe('header count', () => {
  test('fields of fewer than 5 bytes a field over the limit cannot number more than it', () => {
    expect(mayHoldMoreFields(504, 100)).toBe(false)
    expect(mayHoldMoreFields(505, 100)).toBe(true)
    expect(mayHoldMoreFields(9, 1)).toBe(false)
    expect(mayHoldMoreFields(10, 1)).toBe(true)
  })

  test('the bound holds for the smallest fields a head can carry (a one-letter name, an empty value)', () => {
    const headers = new Headers(Array.from({ length: 101 }, (_, i): [string, string] => [String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''), '']))
    let bytes = 0
    headers.forEach((value, name) => (bytes += name.length + value.length + 4))
    expect(countFields(headers)).toBe(101)
    expect(mayHoldMoreFields(bytes, 100)).toBe(true)
  })

  test('counts the fields as forEach lists them: repeats joined, set-cookie apart', () => {
    const headers = new Headers([['a', '1'], ['a', '2'], ['set-cookie', 'x=1'], ['set-cookie', 'y=2'], ['b', '']])
    expect(countFields(headers)).toBe(4)
  })
})
