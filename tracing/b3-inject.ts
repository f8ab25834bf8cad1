// Writes the B3 context onto the upstream request: the x-b3-* multi headers Envoy writes and reads
// (default), the single `b3` header (B3's compact form), or both.

import { toB3TraceId } from './trace-ids.ts'

export type B3Context = {
  traceId: string
  spanId: string
  parentSpanId?: string
  sampled: boolean
  debug?: boolean
}

export type B3Format = 'multi' | 'single' | 'both'

const MULTI = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'] as const

/**
 * Replaces whatever B3 the downstream sent: a stale single `b3` would win over our multi headers at
 * the next hop. `x-b3-sampled` is written even with debug (the B3 spec says flags alone suffice) because
 * Envoy never reads `x-b3-flags` and would otherwise make its own decision. `set` replaces a header
 * of the same name, so only the ones this context does not write are deleted.
 */
export function injectB3(headers: Headers, ctx: B3Context, format: B3Format = 'multi'): void {
  injectB3Ids(headers, toB3TraceId(ctx.traceId), ctx.spanId.toLowerCase(), ctx.parentSpanId ? ctx.parentSpanId.toLowerCase() : undefined, ctx.sampled, ctx.debug === true, format)
}

/**
 * injectB3 for ids already in wire form (lower-case hex, the trace id as B3 writes it), as a span
 * record holds them: positional, so an attempt builds no context object and re-cases no id.
 */
export function injectB3Ids(headers: Headers, traceId: string, spanId: string, parentSpanId: string | undefined, sampled: boolean, debug: boolean, format: B3Format, mayHoldB3 = true): void {
  // `mayHoldB3` false: no B3 arrived and none was written yet but what this call overwrites, so
  // there is nothing to delete (a native delete of an absent field still costs ~50 ns on Bun).
  if (format === 'single') {
    if (mayHoldB3) for (const name of MULTI) headers.delete(name)
  } else {
    headers.set('x-b3-traceid', traceId)
    headers.set('x-b3-spanid', spanId)
    if (parentSpanId) headers.set('x-b3-parentspanid', parentSpanId)
    else if (mayHoldB3) headers.delete('x-b3-parentspanid')
    headers.set('x-b3-sampled', sampled || debug ? '1' : '0')
    if (debug) headers.set('x-b3-flags', '1')
    else if (mayHoldB3) headers.delete('x-b3-flags')
  }
  if (format === 'multi') {
    if (mayHoldB3) headers.delete('b3')
  } else headers.set('b3', singleB3Of(traceId, spanId, parentSpanId, sampled, debug))
}

/** `{traceid}-{spanid}-{1|0|d}[-{parentspanid}]`, the single header's full form. */
export function singleB3(ctx: B3Context): string {
  return singleB3Of(toB3TraceId(ctx.traceId), ctx.spanId.toLowerCase(), ctx.parentSpanId ? ctx.parentSpanId.toLowerCase() : undefined, ctx.sampled, ctx.debug === true)
}

function singleB3Of(traceId: string, spanId: string, parentSpanId: string | undefined, sampled: boolean, debug: boolean): string {
  const head = `${traceId}-${spanId}-${debug ? 'd' : sampled ? '1' : '0'}`
  return parentSpanId ? `${head}-${parentSpanId}` : head
}
