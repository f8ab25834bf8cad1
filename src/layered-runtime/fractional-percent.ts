// Envoy's FractionalPercent decision: `random % denominator < numerator`, with the random draw
// injected so unit tests decide every outcome.

import type { FractionalPercent } from '../config/model-fault.ts'

export const HUNDRED_PERCENT: FractionalPercent = { numerator: 100, denominator: 100 }

/** `random` returns [0, 1) like Math.random. */
export function percentHits(percent: FractionalPercent, random: () => number): boolean {
  if (percent.numerator <= 0) return false
  if (percent.numerator >= percent.denominator) return true
  return Math.floor(random() * percent.denominator) < percent.numerator
}
