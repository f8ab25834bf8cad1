// A tight whole-match loop over re2js's own lazily built DFA, for ASCII input (paths and most
// header values). Same automaton and answers as RE2JS.testExact, without its per-call input
// object, closures and generic rune decoding: ~3x cheaper per route regex. It relies on re2js
// internals (the version is pinned exactly in package.json; safe-regex.test.ts compares it with
// testExact on generated input), and returns undefined whenever re2js itself should decide.

import type { RE2JS } from 're2js'

type DfaState = {
  readonly nfaStates: readonly number[]
  readonly isMatch: boolean
  readonly nextAnchored: readonly (DfaState | null)[] | null
}

type Dfa = {
  readonly failed: boolean
  readonly latin1Class: Int32Array
  readonly numClasses: number
  start(input: { context(pos: number): number }, pos: number): DfaState | null
  step(state: DfaState, cls: number, rune: number, anchor: number): DfaState | null
}

// RE2Flags.ANCHOR_BOTH, the DFA's END_TEXT rune and Utils.EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE.
const ANCHOR_BOTH = 2
const END_TEXT = -1
const AT_START = { context: () => 4 | 1 }

export type WholeMatch = (input: string) => boolean | undefined

/** A fast whole-match function, or undefined when this re2js does not look as expected. */
export function dfaWholeMatch(compiled: RE2JS): WholeMatch | undefined {
  const dfa = (compiled as unknown as { re2Input?: { dfa?: Dfa } }).re2Input?.dfa
  if (!dfa || dfa.failed || !(dfa.latin1Class instanceof Int32Array) || typeof dfa.step !== 'function' || typeof dfa.start !== 'function') return undefined
  const classes = dfa.latin1Class
  const endClass = dfa.numClasses
  return (input) => {
    const first = dfa.start(AT_START, 0)
    if (first === null) return undefined
    let state: DfaState = first
    for (let i = 0; i < input.length; i++) {
      const rune = input.charCodeAt(i)
      // Beyond ASCII: surrogate pairs and case folding are re2js's business.
      if (rune > 0x7f) return undefined
      const cls = classes[rune]!
      let next: DfaState | null = state.nextAnchored === null ? null : state.nextAnchored[cls]!
      if (next === null) {
        // Builds the state once; null when the DFA's memory budget is spent (re2js falls back).
        next = dfa.step(state, cls, rune, ANCHOR_BOTH)
        if (next === null) return undefined
      }
      state = next
      if (state.nfaStates.length === 0) return false
    }
    const end = dfa.step(state, endClass, END_TEXT, ANCHOR_BOTH)
    return end === null ? undefined : end.isMatch
  }
}
