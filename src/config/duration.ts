// Envoy-style durations ("0.25s", "15s", "250ms", "1m") to milliseconds.

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/
/** setTimeout's limit (2^31 - 1 ms): longer delays fire immediately on Bun, Deno and Node. */
export const MAX_TIMER_MS = 2 ** 31 - 1
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim())
  if (!match) return undefined
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS])
}
