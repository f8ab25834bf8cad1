import { describe, expect, test } from 'bun:test'
import { RE2JS } from 're2js'
import { dfaWholeMatch } from './dfa-whole-match.ts'
import { CONFIG_REGEX_LIMITS, compileSafeRegex, REQUEST_REGEX_LIMITS, safeRegexProblem, SafeRegexError, loadSafeRegex } from './safe-regex.ts'

// re2js loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests compile patterns directly.
await loadSafeRegex()

describe('compileSafeRegex: RE2 syntax', () => {
  test('matchesWhole anchors both ends, searches finds any part', () => {
    const r = compileSafeRegex('/items/[0-9]+')
    expect(r.matchesWhole('/items/42')).toBe(true)
    expect(r.matchesWhole('/items/42/x')).toBe(false)
    expect(r.matchesWhole('x/items/42')).toBe(false)
    expect(r.searches('x/items/42/y')).toBe(true)
    expect(r.searches('/items/')).toBe(false)
  })

  test('an alternation is anchored as a whole, as ^(?:a|b)$', () => {
    const r = compileSafeRegex('a|v2-beta')
    expect(r.matchesWhole('v2-beta')).toBe(true)
    expect(r.matchesWhole('a')).toBe(true)
    expect(r.matchesWhole('v2-beta-x')).toBe(false)
    expect(r.matchesWhole('xa')).toBe(false)
  })

  test('RE2 features Envoy configs use compile: classes, named groups, flags, counted repeats', () => {
    for (const source of ['\\d+', '[[:alpha:]]+', '(?P<id>[0-9]+)', '(?<id>[0-9]+)', '(?i)abc', '\\pL+', 'a{1,1000}', '\\/x'])
      expect(safeRegexProblem(source)).toBeUndefined()
    expect(compileSafeRegex('(?i)/API/.*').matchesWhole('/api/v1')).toBe(true)
  })

  test('what RE2 does not support is rejected with the reason', () => {
    expect(safeRegexProblem('(a)\\1')).toContain('invalid escape sequence: `\\1`')
    expect(safeRegexProblem('(?=a)b')).toContain('unsupported Perl syntax: `(?=`')
    expect(safeRegexProblem('(?<!a)b')).toContain('invalid named capture')
    expect(safeRegexProblem('a++')).toContain('invalid nested repetition operator')
    expect(safeRegexProblem('(a{1000}){1000}')).toContain('invalid repeat count')
    expect(safeRegexProblem('(')).toContain('missing closing )')
    expect(safeRegexProblem('[z-a]')).toStartWith('not a valid RE2 pattern (')
    expect(() => compileSafeRegex('(?=a)')).toThrow(SafeRegexError)
  })

  test('a literal prefix shortcut never changes the answer', () => {
    // Prefixes that end in a quantified or optional character, alternations and flags.
    const sources = ['/ab?c', '/ab*', '/a+b', '/ab{0,2}c', '/a|/b', '/x(?i)YZ', '/user/([a-z0-9]+-?)*/profile', '/s-1_/.*', 'abc', '(?i)/abc']
    const inputs = ['', '/', '/a', '/ac', '/abc', '/abbc', '/ab', '/aab', '/b', '/xyz', '/xYz', '/x', '/user/a-b/profile', '/user//profile', '/s-1_/q', 'abc', '/ABC', '/abC']
    for (const source of sources) {
      const js = new RegExp(`^(?:${source.replace('(?i)', '')})$`, source.startsWith('(?i)') ? 'i' : '')
      const re2 = compileSafeRegex(source)
      for (const input of inputs) {
        if (source === '/x(?i)YZ') continue
        expect([source, input, re2.matchesWhole(input)]).toEqual([source, input, js.test(input)])
      }
    }
    const mixed = compileSafeRegex('/x(?i)YZ')
    expect([mixed.matchesWhole('/xyz'), mixed.matchesWhole('/xYz'), mixed.matchesWhole('/XYZ')]).toEqual([true, true, false])
  })
})

describe('pattern size: compile time and per-character cost are bounded too', () => {
  test('counted repetitions that add up past the limit are refused before compiling (7 KB of x{1000} took 13 s)', () => {
    const started = performance.now()
    expect(safeRegexProblem('x{1000}'.repeat(1000))).toBe('regex too long: 7000 characters, at most 4096')
    expect(safeRegexProblem('x{1000}'.repeat(6))).toBe('regex too large: its counted repetitions add up to 6000 copies, at most 5000')
    expect(safeRegexProblem('x{100,600}y{2,}', REQUEST_REGEX_LIMITS)).toBe('regex too large: its counted repetitions add up to 602 copies, at most 500')
    expect(performance.now() - started).toBeLessThan(1000)
    // Braces inside a class or escaped are literal.
    expect(safeRegexProblem('[{9999}]\\{9999}', REQUEST_REGEX_LIMITS)).toBeUndefined()
  })

  test('a program past the size limit is refused with its size; Envoy-sized patterns pass', () => {
    expect(safeRegexProblem('a{1,1000}b{1,1000}c{1,1000}')).toMatch(/^regex too large: RE2 program size \d+, at most 5000$/)
    expect(safeRegexProblem('\\pL{1,200}x{1,200}', REQUEST_REGEX_LIMITS)).toMatch(/^regex too large: RE2 program size \d+, at most 500$/)
    expect(safeRegexProblem('[a-z]'.repeat(600), REQUEST_REGEX_LIMITS)).toBe('regex too long: 3000 characters, at most 512')
    expect(safeRegexProblem('/api/v[0-9]+/items/[0-9]+', REQUEST_REGEX_LIMITS)).toBeUndefined()
    expect(safeRegexProblem('a{1,1000}')).toBeUndefined()
    expect(CONFIG_REGEX_LIMITS.maxProgramSize).toBeGreaterThan(100)
    expect(() => compileSafeRegex('a'.repeat(600), REQUEST_REGEX_LIMITS)).toThrow(SafeRegexError)
  })
})

describe('linear time: patterns that make a backtracking engine explode', () => {
  test('route regex /user/([a-z0-9]+-?)*/profile on a crafted 2 KB path answers in milliseconds', () => {
    const r = compileSafeRegex('/user/([a-z0-9]+-?)*/profile')
    const crafted = `/user/${'a1-'.repeat(300)}${'a'.repeat(1000)}/profil`
    const start = performance.now()
    expect(r.matchesWhole(crafted)).toBe(false)
    // A backtracking engine needs ~2 s already for 30 such characters; this is ~2000.
    expect(performance.now() - start).toBeLessThan(1000)
    expect(r.matchesWhole('/user/abc-def-42/profile')).toBe(true)
  })

  test('stats filter ^(([a-z_.]+)*)*!$ over 20k stat names ends in bounded time (a backtracking engine: hours)', () => {
    const r = compileSafeRegex('^(([a-z_.]+)*)*!$')
    const start = performance.now()
    let hits = 0
    for (let i = 0; i < 20_000; i++) if (r.searches(`cluster.service_${i % 97}.upstream_rq_pending_overflow_total`)) hits++
    expect(hits).toBe(0)
    expect(performance.now() - start).toBeLessThan(5000)
  })
})

describe('the DFA whole-match fast path', () => {
  test('is active with this re2js (a version that changes its internals must be looked at)', () => {
    expect(dfaWholeMatch(RE2JS.compile('/items/[0-9]+'))).toBeFunction()
  })

  test('answers exactly as re2js testExact on generated input, including anchors, word boundaries, case folding and non-ASCII', () => {
    const patterns = [
      '/user/([a-z0-9]+-?)*/profile', '/api/v[0-9]+/items/[0-9]+', 'admin|ops', '(?i)/API/v[0-9]', '^/a$', '/a\\b.*', '\\bab\\B',
      '[^/]+/[^/]*', 'a{2,4}b?', '(a|ab)(c|bcd)(d*)', '.*', '', '\\pL+', '(?s).+', '[[:upper:]][[:digit:]]+', 'x*y*z*', 'é+', '(?i)ß',
    ]
    const alphabet = ['a', 'b', 'c', 'd', '/', '-', '0', '9', 'A', 'B', ' ', '\n', 'é', 'ß', '😀', 'x', 'y', 'z', 'p', 'i', 'v']
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const inputs = ['', '/user/abc-def-42/profile', '/api/v2/items/123', '/API/V1', 'ops', 'admin', '/a', '/a b', 'ab', 'É', 'SS']
    for (let i = 0; i < 400; i++) {
      let text = ''
      const length = Math.floor(random() * 12)
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)]
      inputs.push(text)
    }
    for (const pattern of patterns) {
      const reference = RE2JS.compile(pattern)
      const safe = compileSafeRegex(pattern)
      for (const input of inputs) expect([pattern, input, safe.matchesWhole(input)]).toEqual([pattern, input, reference.testExact(input)])
    }
  })
})
