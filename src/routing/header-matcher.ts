// Compiles a route's `headers` matchers (Envoy's HeaderMatcher) into one predicate per matcher.

import type { HeaderMatcher } from '../config/model.ts'
import { compileSafeRegex } from '../regex/safe-regex.ts'

export type HeaderSource = { get(name: string): string | null }
export type HeaderPredicate = (headers: HeaderSource) => boolean

export function compileHeaderMatcher(matcher: HeaderMatcher): HeaderPredicate {
  const name = matcher.name.toLowerCase()
  const { invert } = matcher
  if (matcher.kind === 'present') {
    // present_match: false asks for the header to be absent, as in Envoy.
    const wanted = matcher.value
    return (headers) => {
      const present = headers.get(name) !== null
      return (present === wanted) !== invert
    }
  }
  const test = valueTest(matcher)
  // A missing header fails every value matcher, so with `invert` it matches.
  return (headers) => {
    const value = headers.get(name)
    return (value !== null && test(value)) !== invert
  }
}

function valueTest(matcher: Exclude<HeaderMatcher, { kind: 'present' }>): (value: string) => boolean {
  const expected = matcher.value
  switch (matcher.kind) {
    case 'exact':
      return (value) => value === expected
    case 'prefix':
      return (value) => value.startsWith(expected)
    case 'suffix':
      return (value) => value.endsWith(expected)
    case 'contains':
      return (value) => value.includes(expected)
    case 'regex': {
      const pattern = compileSafeRegex(expected)
      return (value) => pattern.matchesWhole(value)
    }
  }
}
