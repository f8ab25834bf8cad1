// The building blocks of the config schema: durations, addresses, ports, names and enums, each
// with the one error message a user sees for it. schema.ts composes the file's shape from these.

import { z } from 'zod'
import { ipProblem } from './address-checks.ts'
import { MAX_TIMER_MS, parseDuration } from './duration.ts'

export const durationText = z
  .string({ error: (issue) => `expected a duration like "0.25s" or "15s", got ${show(issue.input)}` })
  .refine((text) => parseDuration(text) !== undefined, {
    error: (issue) => `expected a duration like "0.25s", "250ms" or "15s", got ${show(issue.input)}`,
    abort: true,
  })
  // Every duration ends up in a timer, and a JS runtime fires a longer timer at once (setTimeout's
  // 32-bit limit): rejected rather than capped, so the file says what really happens.
  .refine((text) => parseDuration(text)! <= MAX_TIMER_MS, {
    error: (issue) => `must be at most ${MAX_TIMER_MS / 1000}s (about 24.8 days, the longest timer a JS runtime keeps), got ${show(issue.input)}`,
    abort: true,
  })
export const DURATION_HELP = 'Envoy-style duration: "0.25s", "250ms", "15s", "1m"'
/** A duration where 0 means "off" (route timeout, per-try timeout, idle timeout). */
export const duration = durationText.describe(DURATION_HELP)
/** A duration Envoy requires to be above 0 (intervals, connect and health check timeouts): 0 would spin. */
export const positiveDuration = durationText
  .refine((text) => parseDuration(text)! > 0, { error: 'must be above 0 (at least 1ms)' })
  .describe(`${DURATION_HELP}, above 0`)

export const ipAddress = z.string().superRefine((text, ctx) => {
  const problem = ipProblem(text)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
}).describe('IP address to bind: 0.0.0.0, ::, 127.0.0.1')

export const int = (min: number, max: number, what = 'integer') =>
  z
    .number({ error: (issue) => `expected ${what} ${min}-${max}, got ${show(issue.input)}` })
    .int({ error: (issue) => `expected ${what} ${min}-${max}, got ${show(issue.input)}` })
    .min(min, { error: (issue) => `expected ${what} ${min}-${max}, got ${show(issue.input)}` })
    .max(max, { error: (issue) => `expected ${what} ${min}-${max}, got ${show(issue.input)}` })

export const port = int(0, 65535)
export const percent = z
  .number({ error: (issue) => `expected a percentage 0-100, got ${show(issue.input)}` })
  .min(0)
  .max(100)
export const name = z.string().min(1, 'must not be empty')
export const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
  .transform((s) => s.toLowerCase())

/** Case-insensitive enum that also accepts Envoy's upper-case spellings (STRICT_DNS, ROUND_ROBIN). */
export const lowerEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string({ error: (issue) => `expected one of ${values.join(' | ')}, got ${show(issue.input)}` })
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(values, { error: (issue) => `expected one of ${values.join(' | ')}, got ${show(issue.input)}` }))

/** A value as a problem line quotes it, cut to a readable length. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : String(text)
}
