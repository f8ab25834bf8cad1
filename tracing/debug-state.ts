// Carries the B3 debug flag on a span context, so a debug request's spans export with `debug: true`.
// OTel has no debug bit; trace state is the one field a child span inherits from its parent.

import { createTraceState, type TraceState } from '@opentelemetry/api'

const KEY = 'edgeway'
const DEBUG = 'd'

export function debugTraceState(): TraceState {
  return createTraceState().set(KEY, DEBUG)
}

export function isDebug(state: TraceState | undefined): boolean {
  return state?.get(KEY) === DEBUG
}
