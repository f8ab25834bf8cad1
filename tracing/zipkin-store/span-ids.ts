// Normalises trace and span ids the way Zipkin's Span.Builder does, so the same id in any
// accepted spelling lands on the same trace.

export type IdResult = { ok: true; id: string } | { ok: false; reason: string }

const HEX = /^[0-9a-f]+$/

/**
 * Zipkin pads short ids with leading zeros and turns a 128-bit id whose high half is zero
 * into its 64-bit form (that is what B3 propagators send when they left-pad a 64-bit id).
 * Upper-case hex is accepted and lower-cased; Zipkin itself rejects it, we are lenient.
 */
export function normaliseTraceId(raw: string): IdResult {
  const id = raw.toLowerCase()
  if (id.length === 0 || id.length > 32 || !HEX.test(id)) {
    return { ok: false, reason: 'expected 16 or 32 lower-hex characters' }
  }
  if (/^0+$/.test(id)) return { ok: false, reason: 'is all zeros' }
  const padded = id.length <= 16 ? id.padStart(16, '0') : id.padStart(32, '0')
  if (padded.length === 32 && padded.startsWith('0000000000000000')) return { ok: true, id: padded.slice(16) }
  return { ok: true, id: padded }
}

export function normaliseSpanId(raw: string): IdResult {
  const id = raw.toLowerCase()
  if (id.length === 0 || id.length > 16 || !HEX.test(id)) {
    return { ok: false, reason: 'expected 16 lower-hex characters' }
  }
  if (/^0+$/.test(id)) return { ok: false, reason: 'is all zeros' }
  return { ok: true, id: id.padStart(16, '0') }
}

/**
 * The key spans are grouped under. Strict (Zipkin's default STRICT_TRACE_ID=true) keeps 64-bit
 * and 128-bit ids apart; non-strict groups by the low 64 bits, as Zipkin does while a site
 * migrates to 128-bit ids.
 */
export function traceKey(traceId: string, strictTraceId: boolean): string {
  return strictTraceId ? traceId : traceId.slice(-16)
}
