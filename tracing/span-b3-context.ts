// What to inject upstream for a span the proxy started: its ids, its parent, its sampling and debug.

import { TraceFlags, type Span } from '@opentelemetry/api'
import type { B3Context } from './b3-inject.ts'
import { isDebug } from './debug-state.ts'

/** The parent id is the caller's to give: the api Span does not expose it. */
export function b3ContextOf(span: Span, parentSpanId?: string): B3Context {
  const ctx = span.spanContext()
  const ctxOut: B3Context = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    sampled: (ctx.traceFlags & TraceFlags.SAMPLED) !== 0,
    debug: isDebug(ctx.traceState),
  }
  if (parentSpanId) ctxOut.parentSpanId = parentSpanId
  return ctxOut
}
