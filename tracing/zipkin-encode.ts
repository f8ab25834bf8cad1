// Turns a finished span into one Zipkin JSON v2 span (the `Span` definition of zipkin2-api.yaml):
// the proxy's SpanRecords straight from their fields, any other OTel ReadableSpan through its api.

import { SpanKind, SpanStatusCode, type Attributes, type HrTime, type SpanStatus } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { isDebug } from './debug-state.ts'
import { durationNanos, msToMicros } from './hr-clock.ts'
import { SpanRecord } from './span-record.ts'
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
  shared?: true
  localEndpoint: { serviceName: string }
  remoteEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number }
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
  if (span instanceof SpanRecord) return encodeRecord(span, serviceName)
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
    tags: encodeTags(span.attributes, span.status),
  }
  if (span.events.length > 0) {
    out.annotations = span.events.map((e) => ({ timestamp: hrTimeToMicros(e.time), value: e.name }))
  }
  return out
}

/** The same fields from the record itself: ids are already in wire form, times are epoch-ms floats. */
function encodeRecord(span: SpanRecord, serviceName: string): ZipkinSpan {
  // Assigned one by one rather than spread from conditional objects: no temporaries per span.
  const out = { traceId: span.traceId } as ZipkinSpan
  if (span.parentSpanId) out.parentId = span.parentSpanId
  out.id = span.spanId
  const kind = KINDS[span.kind]
  if (kind) out.kind = kind
  out.name = span.name
  out.timestamp = msToMicros(span.startMs)
  out.duration = Math.max(1, Math.floor(durationNanos(span.startMs, span.endMs) / 1000))
  if (span.debug) out.debug = true
  if (span.shared) out.shared = true
  out.localEndpoint = localEndpointOf(serviceName)
  if (span.remote) out.remoteEndpoint = span.remote
  out.tags = recordTags(span)
  if (span.hasEvents) out.annotations = span.events.map((e) => ({ timestamp: hrTimeToMicros(e.time), value: e.name }))
  return out
}

let local = { serviceName: '' }

/** One localEndpoint object for every record of a service (the encoder only reads it): none per span. */
function localEndpointOf(serviceName: string): { serviceName: string } {
  if (local.serviceName !== serviceName) local = { serviceName }
  return local
}

/** The proxy tags with non-empty strings only (SpanRecord.stringTags): then the record's own object is the tag map. */
function recordTags(span: SpanRecord): Record<string, string> {
  const attributes = span.attributes
  if (!span.stringTags) return encodeTags(attributes, span.status)
  if (span.status.code === SpanStatusCode.ERROR && attributes.error === undefined) return encodeTags(attributes, span.status)
  return attributes as Record<string, string>
}

function encodeTags(attributes: Attributes, status: SpanStatus): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value)
    if (text !== '') tags[name] = text
  }
  if (status.code === SpanStatusCode.ERROR && tags.error === undefined) {
    tags.error = status.message || 'true'
  }
  return tags
}
