// Microsecond-precise wall-clock times for spans. OTel 2.x takes start times from Date.now() (whole
// milliseconds) and, once a start time is given, end times too; spans here use this clock for both.

import type { HrTime } from '@opentelemetry/api'

/** Epoch milliseconds with a fraction: performance's monotonic clock anchored at timeOrigin. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

export function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000)
  const nanos = Math.round((ms - seconds * 1000) * 1_000_000)
  // Rounding can reach a full second; carry it rather than emit 1e9 nanoseconds.
  return nanos >= 1_000_000_000 ? [seconds + 1, nanos - 1_000_000_000] : [seconds, nanos]
}
