// The one regex engine for patterns from a config or a request (route safe_regex, header matchers,
// /stats?filter=): RE2 syntax on re2js, linear in the input, so no pattern can stall the event loop.

import type { RE2JS } from 're2js'
import { dfaWholeMatch } from './dfa-whole-match.ts'

// re2js loads on demand (~1 MiB of resident code on Bun): before a config with a regex is applied
// (src/lifecycle/config-engines.ts), for a /stats?filter=, and by the config schema (re2-engine.ts).
let engine: typeof RE2JS | undefined

export async function loadSafeRegex(): Promise<void> {
  engine ??= (await import('re2js')).RE2JS
}

/** For a module that has re2js loaded already (the config schema checks patterns synchronously). */
export function useSafeRegexEngine(loaded: typeof RE2JS): void {
  engine = loaded
}

export type SafeRegex = {
  readonly source: string
  /** The whole input matches (Envoy's safe_regex for paths and header values). */
  matchesWhole(input: string): boolean
  /** Some part of the input matches (Envoy's /stats?filter=). */
  searches(input: string): boolean
}

export class SafeRegexError extends Error {}

/**
 * Linear time is per character of input *times the size of the program*, and compiling costs too
 * (a 7 KB `x{1000}x{1000}...` took 13 s and 400 MiB): so patterns are bounded like Envoy bounds
 * them (re2.max_program_size, 100 there by default), here more loosely.
 */
export type RegexLimits = { readonly maxLength: number; readonly maxProgramSize: number }

/** For config: generous; Envoy itself refuses programs over 100 unless told otherwise. */
export const CONFIG_REGEX_LIMITS: RegexLimits = { maxLength: 4096, maxProgramSize: 5000 }
/** For a pattern from a request (/stats?filter=), run over every stat name on the data plane's event loop. */
export const REQUEST_REGEX_LIMITS: RegexLimits = { maxLength: 512, maxProgramSize: 500 }

/** Compiles once; throws SafeRegexError with the reason when the pattern is not RE2 syntax or too big. */
export function compileSafeRegex(source: string, limits: RegexLimits = CONFIG_REGEX_LIMITS): SafeRegex {
  const compiled = compileWithin(source, limits)
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

/** The problem with `source` as an RE2 pattern, or undefined when it compiles within `limits`. */
export function safeRegexProblem(source: string, limits: RegexLimits = CONFIG_REGEX_LIMITS): string | undefined {
  try {
    compileWithin(source, limits)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

function compileWithin(source: string, limits: RegexLimits): RE2JS {
  if (source.length > limits.maxLength) throw new SafeRegexError(`regex too long: ${source.length} characters, at most ${limits.maxLength}`)
  // Counted repetitions are compiled as copies: bound them before paying for the compile.
  const copies = repeatCopies(source)
  if (copies > limits.maxProgramSize) throw new SafeRegexError(`regex too large: its counted repetitions add up to ${copies} copies, at most ${limits.maxProgramSize}`)
  if (!engine) throw new Error('the regex engine is not loaded: await loadSafeRegex() first')
  let compiled: RE2JS
  try {
    compiled = engine.compile(source)
  } catch (error) {
    throw new SafeRegexError(reason(error))
  }
  const size = compiled.programSize()
  if (size > limits.maxProgramSize) throw new SafeRegexError(`regex too large: RE2 program size ${size}, at most ${limits.maxProgramSize}`)
  return compiled
}

/** Sum of the counts of `{n}`, `{n,}`, `{n,m}` outside classes and escapes (an upper bound on the copies). */
function repeatCopies(source: string): number {
  let total = 0
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]
    if (ch === '\\') {
      i++
      continue
    }
    if (inClass) {
      if (ch === ']') inClass = false
      continue
    }
    if (ch === '[') {
      inClass = true
      // A `]` right after `[` or `[^` is literal.
      if (source[i + 1] === '^') i++
      if (source[i + 1] === ']') i++
      continue
    }
    if (ch !== '{') continue
    const match = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 16))
    if (match) total += Math.max(Number(match[1]), Number(match[2] || 0))
  }
  return total
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
