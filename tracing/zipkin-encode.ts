// Turns a finished OTel span into one Zipkin JSON v2 span (the `Span` definition of zipkin2-api.yaml).

import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { isDebug } from './debug-state.ts'
import { toB3TraceId } from './trace-ids.ts'

export type ZipkinSpan = {
  traceId: string
  id: string
  parentId?: string
  name: string
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER'
  timestamp: number
  duration: number
  debug?: true
  localEndpoint: { serviceName: string }
  annotations?: { timestamp: number; value: string }[]
  tags: Record<string, string>
}

const KINDS: Partial<Record<SpanKind, ZipkinSpan['kind']>> = {
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
}

/** Epoch microseconds as an integer, without the float rounding of `hr[0] * 1e6 + hr[1] / 1e3`. */
export function hrTimeToMicros(hr: HrTime): number {
  return hr[0] * 1_000_000 + Math.floor(hr[1] / 1000)
}

/**
 * Only span attributes become tags: resource attributes stay out (the stock exporter copies all of
 * them into every span). `error` is set whenever the status is ERROR, with the message or `true`.
 */
export function encodeSpan(span: ReadableSpan, serviceName: string): ZipkinSpan {
  const ctx = span.spanContext()
  const parentId = span.parentSpanContext?.spanId
  const kind = KINDS[span.kind]
  // Fields in the order Zipkin itself writes them, so captured payloads read naturally.
  const out: ZipkinSpan = {
    traceId: toB3TraceId(ctx.traceId),
    ...(parentId ? { parentId } : {}),
    id: ctx.spanId,
    ...(kind ? { kind } : {}),
    name: span.name,
    timestamp: hrTimeToMicros(span.startTime),
    // The spec's minimum is 1: "durations of less than one are rounded up".
    duration: Math.max(1, hrTimeToMicros(span.duration)),
    ...(isDebug(ctx.traceState) ? { debug: true as const } : {}),
    localEndpoint: { serviceName },
    tags: encodeTags(span),
  }
  if (span.events.length > 0) {
    out.annotations = span.events.map((e) => ({ timestamp: hrTimeToMicros(e.time), value: e.name }))
  }
  return out
}

function encodeTags(span: ReadableSpan): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const [name, value] of Object.entries(span.attributes)) {
    if (value === undefined || value === null) continue
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value)
    if (text !== '') tags[name] = text
  }
  if (span.status.code === SpanStatusCode.ERROR && tags.error === undefined) {
    tags.error = span.status.message || 'true'
  }
  return tags
}
