// Reads the downstream B3 context: the single `b3` header wins over the x-b3-* multi headers.
// Written by hand rather than with @opentelemetry/propagator-b3, which turns a missing sampled flag
// into "not sampled" and forgets the width of 64-bit trace ids (runtime-and-otel-notes §5.3).

import { parseSpanId, parseTraceId } from './trace-ids.ts'

export type TraceHeaders = { get(name: string): string | null }

export type IncomingTrace = {
  /** As received (lower-cased), 16 or 32 hex: the width is kept. */
  traceId?: string
  spanId?: string
  parentSpanId?: string
  /** undefined = no decision came with the request: the proxy decides. */
  sampled?: boolean
  /** `x-b3-flags: 1` or single-header `d`; debug implies sampled. */
  debug: boolean
}

/** Envoy's limit for the single header: 32 + 1 + 16 + 1 + 1 + 1 + 16. */
const MAX_SINGLE_LENGTH = 68

/**
 * undefined means "start a fresh trace": no B3 at all, or B3 that does not parse (Envoy drops a
 * malformed context the same way rather than failing the request). Never throws.
 */
export function extractB3(headers: TraceHeaders): IncomingTrace | undefined {
  try {
    const single = headers.get('b3')
    return single !== null ? parseSingle(single) : parseMulti(headers)
  } catch {
    return undefined
  }
}

function parseSingle(raw: string): IncomingTrace | undefined {
  const value = raw.trim()
  if (value.length > MAX_SINGLE_LENGTH) return undefined
  const parts = value.split('-')
  // `b3: 0|1|d` carries a decision but no ids: a new root that honours the decision.
  if (parts.length === 1) return samplingState(parts[0]!)
  if (parts.length > 4) return undefined
  const [rawTrace, rawSpan, rawSampling, rawParent] = parts as [string, string, string?, string?]
  const traceId = parseTraceId(rawTrace)
  const spanId = parseSpanId(rawSpan)
  if (!traceId || !spanId) return undefined
  const state = rawSampling === undefined ? { sampled: undefined, debug: false } : samplingState(rawSampling)
  if (!state) return undefined
  const trace: IncomingTrace = { traceId, spanId, ...state }
  if (rawParent !== undefined) {
    const parentSpanId = parseSpanId(rawParent)
    if (!parentSpanId) return undefined
    trace.parentSpanId = parentSpanId
  }
  return trace
}

function samplingState(value: string): { sampled: boolean; debug: boolean } | undefined {
  switch (value.toLowerCase()) {
    case '0':
      return { sampled: false, debug: false }
    case '1':
      return { sampled: true, debug: false }
    case 'd':
      return { sampled: true, debug: true }
    default:
      return undefined
  }
}

function parseMulti(headers: TraceHeaders): IncomingTrace | undefined {
  const rawTrace = headers.get('x-b3-traceid')
  const rawSpan = headers.get('x-b3-spanid')
  const rawParent = headers.get('x-b3-parentspanid')
  const rawSampled = headers.get('x-b3-sampled')
  const debug = headers.get('x-b3-flags')?.trim() === '1'
  // Envoy: "1" or "true" means sampled, any other value means not sampled, absent means decide here.
  const sampledFlag = rawSampled === null ? undefined : ['1', 'true'].includes(rawSampled.trim().toLowerCase())
  const sampled = debug ? true : sampledFlag

  if (rawTrace === null && rawSpan === null) {
    if (rawParent !== null) return undefined
    return sampled === undefined && !debug ? undefined : { sampled, debug }
  }
  if (rawTrace === null || rawSpan === null) return undefined
  const traceId = parseTraceId(rawTrace)
  const spanId = parseSpanId(rawSpan)
  if (!traceId || !spanId) return undefined
  const trace: IncomingTrace = { traceId, spanId, sampled, debug }
  if (rawParent !== null) {
    const parentSpanId = parseSpanId(rawParent)
    if (!parentSpanId) return undefined
    trace.parentSpanId = parentSpanId
  }
  return trace
}
