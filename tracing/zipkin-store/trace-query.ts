// GET /api/v2/traces: parses the query string and tests a trace the way Zipkin's
// QueryRequest.test does (service name constrains the other criteria; all must match).

import { localServiceName, remoteServiceName } from './span-model.ts'
import type { Span } from './span-model.ts'

export type TraceQuery = {
  serviceName?: string
  remoteServiceName?: string
  spanName?: string
  /** tag key → value, or → '' for "has this tag key or annotation value". */
  annotationQuery: Map<string, string>
  minDurationUs?: number
  maxDurationUs?: number
  endTsMs: number
  lookbackMs: number
  limit: number
}

export type ParsedQuery = { ok: true; query: TraceQuery } | { ok: false; reason: string }

/** Zipkin server's QUERY_LOOKBACK default: one day. */
export const DEFAULT_LOOKBACK_MS = 86_400_000
export const DEFAULT_LIMIT = 10

export function parseAnnotationQuery(text: string): Map<string, string> {
  const terms = new Map<string, string>()
  for (const raw of text.split(/\s+and\s+/i)) {
    const term = raw.trim()
    if (term === '') continue
    const eq = term.indexOf('=')
    if (eq === -1) terms.set(term, '')
    else terms.set(term.slice(0, eq).trim(), term.slice(eq + 1).trim())
  }
  return terms
}

function parseInteger(params: URLSearchParams, name: string, min: number): number | undefined | string {
  const raw = params.get(name)
  if (raw === null || raw === '') return undefined
  if (!/^-?\d+$/.test(raw)) return `${name} must be an integer`
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min) return `${name} must be an integer >= ${min}`
  return value
}

function lowerOrUndefined(value: string | null): string | undefined {
  return value === null || value === '' ? undefined : value.toLowerCase()
}

export function parseTraceQuery(params: URLSearchParams, nowMs: number): ParsedQuery {
  const numbers: Record<string, number | undefined> = {}
  const mins: Record<string, number> = { minDuration: 1, maxDuration: 1, endTs: 1, lookback: 1, limit: 1 }
  for (const [name, min] of Object.entries(mins)) {
    const parsed = parseInteger(params, name, min)
    if (typeof parsed === 'string') return { ok: false, reason: parsed }
    numbers[name] = parsed
  }
  if (numbers['maxDuration'] !== undefined && numbers['minDuration'] === undefined) {
    return { ok: false, reason: 'maxDuration is only valid with minDuration' }
  }
  const min = numbers['minDuration']
  const max = numbers['maxDuration']
  if (min !== undefined && max !== undefined && max < min) {
    return { ok: false, reason: 'maxDuration must be >= minDuration' }
  }
  const endTsMs = numbers['endTs'] ?? nowMs
  const query: TraceQuery = {
    annotationQuery: parseAnnotationQuery(params.get('annotationQuery') ?? ''),
    endTsMs,
    lookbackMs: numbers['lookback'] ?? DEFAULT_LOOKBACK_MS,
    limit: numbers['limit'] ?? DEFAULT_LIMIT,
  }
  const serviceName = lowerOrUndefined(params.get('serviceName'))
  if (serviceName !== undefined) query.serviceName = serviceName
  const remote = lowerOrUndefined(params.get('remoteServiceName'))
  if (remote !== undefined) query.remoteServiceName = remote
  const spanName = lowerOrUndefined(params.get('spanName'))
  if (spanName !== undefined) query.spanName = spanName
  if (min !== undefined) query.minDurationUs = min
  if (max !== undefined) query.maxDurationUs = max
  return { ok: true, query }
}

/** The root span's timestamp, else the earliest one; undefined when no span has one. */
/** A span whose timestamp is its trace's (the first such, with a timestamp, in arrival order). */
export function isRootSpan(span: Span): boolean {
  return span.parentId === undefined && !span.shared
}

export function traceTimestampUs(trace: readonly Span[]): number | undefined {
  let earliest: number | undefined
  for (const span of trace) {
    if (span.timestamp === undefined) continue
    if (isRootSpan(span)) return span.timestamp
    if (earliest === undefined || span.timestamp < earliest) earliest = span.timestamp
  }
  return earliest
}

export function inWindow(trace: readonly Span[], endTsMs: number, lookbackMs: number): boolean {
  const timestamp = traceTimestampUs(trace)
  if (timestamp === undefined) return false
  return timestamp >= (endTsMs - lookbackMs) * 1000 && timestamp <= endTsMs * 1000
}

export function matchesQuery(trace: readonly Span[], query: TraceQuery): boolean {
  if (!inWindow(trace, query.endTsMs, query.lookbackMs)) return false
  let serviceMatched = query.serviceName === undefined
  let remoteMatched = query.remoteServiceName === undefined
  let nameMatched = query.spanName === undefined
  let durationMatched = query.minDurationUs === undefined
  const remaining = new Map(query.annotationQuery)
  for (const span of trace) {
    if (query.serviceName !== undefined && localServiceName(span) !== query.serviceName) continue
    serviceMatched = true
    for (const annotation of span.annotations ?? []) {
      if (remaining.get(annotation.value) === '') remaining.delete(annotation.value)
    }
    for (const [key, value] of Object.entries(span.tags ?? {})) {
      const wanted = remaining.get(key)
      if (wanted !== undefined && (wanted === '' || wanted === value)) remaining.delete(key)
    }
    if (!remoteMatched && remoteServiceName(span) === query.remoteServiceName) remoteMatched = true
    if (!nameMatched && span.name === query.spanName) nameMatched = true
    if (!durationMatched && span.duration !== undefined) {
      durationMatched =
        span.duration >= query.minDurationUs! &&
        (query.maxDurationUs === undefined || span.duration <= query.maxDurationUs)
    }
  }
  return serviceMatched && remoteMatched && nameMatched && durationMatched && remaining.size === 0
}

/** Matching traces, newest first, at most `limit`. */
export function findTraces(traces: Iterable<readonly Span[]>, query: TraceQuery): Span[][] {
  const found: { trace: Span[]; timestamp: number }[] = []
  for (const trace of traces) {
    if (matchesQuery(trace, query)) found.push({ trace: [...trace], timestamp: traceTimestampUs(trace) ?? 0 })
  }
  found.sort((a, b) => b.timestamp - a.timestamp)
  return found.slice(0, query.limit).map((entry) => entry.trace)
}
