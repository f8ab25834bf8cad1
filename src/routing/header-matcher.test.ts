import { describe, expect, test } from 'bun:test'
import type { HeaderMatcher } from '../config/model.ts'
import { compileHeaderMatcher } from './header-matcher.ts'
import { loadSafeRegex } from '../regex/safe-regex.ts'

// re2js loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests compile patterns directly.
await loadSafeRegex()

const headers = new Headers({ 'x-version': 'v2-beta', 'x-empty': '' })
const matches = (matcher: HeaderMatcher) => compileHeaderMatcher(matcher)(headers)

describe('compileHeaderMatcher', () => {
  test('exact', () => {
    expect(matches({ name: 'x-version', invert: false, kind: 'exact', value: 'v2-beta' })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'exact', value: 'v2' })).toBe(false)
  })

  test('header names are case-insensitive', () => {
    expect(matches({ name: 'X-Version', invert: false, kind: 'exact', value: 'v2-beta' })).toBe(true)
  })

  test('prefix, suffix, contains', () => {
    expect(matches({ name: 'x-version', invert: false, kind: 'prefix', value: 'v2' })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'prefix', value: 'beta' })).toBe(false)
    expect(matches({ name: 'x-version', invert: false, kind: 'suffix', value: 'beta' })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'suffix', value: 'v2' })).toBe(false)
    expect(matches({ name: 'x-version', invert: false, kind: 'contains', value: '2-b' })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'contains', value: 'v3' })).toBe(false)
  })

  test('regex must match the whole value', () => {
    expect(matches({ name: 'x-version', invert: false, kind: 'regex', value: 'v\\d-\\w+' })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'regex', value: 'v\\d' })).toBe(false)
    expect(matches({ name: 'x-version', invert: false, kind: 'regex', value: 'a|v2-beta' })).toBe(true)
  })

  test('present true / false', () => {
    expect(matches({ name: 'x-empty', invert: false, kind: 'present', value: true })).toBe(true)
    expect(matches({ name: 'x-missing', invert: false, kind: 'present', value: true })).toBe(false)
    expect(matches({ name: 'x-missing', invert: false, kind: 'present', value: false })).toBe(true)
    expect(matches({ name: 'x-version', invert: false, kind: 'present', value: false })).toBe(false)
  })

  test('invert flips the result, and a missing header matches an inverted value matcher', () => {
    expect(matches({ name: 'x-version', invert: true, kind: 'exact', value: 'v2-beta' })).toBe(false)
    expect(matches({ name: 'x-version', invert: true, kind: 'exact', value: 'v1' })).toBe(true)
    expect(matches({ name: 'x-missing', invert: true, kind: 'exact', value: 'v1' })).toBe(true)
    expect(matches({ name: 'x-missing', invert: true, kind: 'present', value: true })).toBe(true)
  })
})
