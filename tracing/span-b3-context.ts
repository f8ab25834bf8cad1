// What to inject upstream for a span the proxy started: its ids, its parent, its sampling and debug.

import { TraceFlags, type Span } from '@opentelemetry/api'
import type { B3Context } from './b3-inject.ts'
import { isDebug } from './debug-state.ts'
import { SpanRecord } from './span-record.ts'

/** The parent id is the caller's to give: the api Span does not expose it. */
export function b3ContextOf(span: Span, parentSpanId?: string): B3Context {
  const ctxOut: B3Context =
    span instanceof SpanRecord
      ? { traceId: span.traceId, spanId: span.spanId, sampled: span.sampled, debug: span.debug }
      : fromSpanContext(span)
  if (parentSpanId) ctxOut.parentSpanId = parentSpanId
  return ctxOut
}

function fromSpanContext(span: Span): B3Context {
  const ctx = span.spanContext()
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    sampled: (ctx.traceFlags & TraceFlags.SAMPLED) !== 0,
    debug: isDebug(ctx.traceState),
  }
}
