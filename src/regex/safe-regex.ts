// The one regex engine for patterns from a config or a request (route safe_regex, header matchers,
// /stats?filter=): RE2 syntax on re2js, linear in the input, so no pattern can stall the event loop.

import { RE2JS } from 're2js'
import { dfaWholeMatch } from './dfa-whole-match.ts'

export type SafeRegex = {
  readonly source: string
  /** The whole input matches (Envoy's safe_regex for paths and header values). */
  matchesWhole(input: string): boolean
  /** Some part of the input matches (Envoy's /stats?filter=). */
  searches(input: string): boolean
}

export class SafeRegexError extends Error {}

/** Compiles once; throws SafeRegexError with RE2's reason when the pattern is not RE2 syntax. */
export function compileSafeRegex(source: string): SafeRegex {
  let compiled: RE2JS
  try {
    compiled = RE2JS.compile(source)
  } catch (error) {
    throw new SafeRegexError(reason(error))
  }
  const literal = literalPrefix(source)
  const fast = dfaWholeMatch(compiled)
  const whole = fast ? (input: string) => fast(input) ?? compiled.testExact(input) : (input: string) => compiled.testExact(input)
  return {
    source,
    // A literal prefix the input lacks decides a miss without entering the engine: most paths
    // tried against a `/user/...` route are not under /user/.
    matchesWhole: literal ? (input) => input.startsWith(literal) && whole(input) : whole,
    searches: (input) => compiled.test(input),
  }
}

/** The problem with `source` as an RE2 pattern, or undefined when it compiles. */
export function safeRegexProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source)
    return undefined
  } catch (error) {
    return reason(error)
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return `not a valid RE2 pattern (${message.replace(/^error parsing regexp: /, '')})`
}

/** Leading characters every whole match must start with; '' when the pattern opens with syntax. */
function literalPrefix(source: string): string {
  let prefix = ''
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!
    if (/[A-Za-z0-9/_\-]/.test(ch)) {
      prefix += ch
      continue
    }
    break
  }
  // The last literal may be quantified (`/a?`, `/ab*`) or part of an alternation (`/a|/b`).
  const next = source[prefix.length]
  if (next === '?' || next === '*' || next === '{') prefix = prefix.slice(0, -1)
  if (source.includes('|')) return ''
  return prefix
}
