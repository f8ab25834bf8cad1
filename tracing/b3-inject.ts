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

/**
 * Where B3 is written: a Headers (through onHeaders), or an attempt's upstream fields
 * (src/proxy/headers/upstream-fields.ts). `add` sets a field the target is known not to hold but
 * from an earlier add: the upstream fields keep those in their block, apart from the client's.
 */
export interface B3Fields {
  set(name: string, value: string): void
  delete(name: string): void
  add(name: string, value: string): void
}

/** A Headers holds every field itself: its `add` is its set(). */
function onHeaders(headers: Headers): B3Fields {
  return { set: (name, value) => headers.set(name, value), delete: (name) => headers.delete(name), add: (name, value) => headers.set(name, value) }
}

const MULTI = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'] as const

/**
 * Replaces whatever B3 the downstream sent: a stale single `b3` would win over our multi headers at
 * the next hop. `x-b3-sampled` is written even with debug (the B3 spec says flags alone suffice) because
 * Envoy never reads `x-b3-flags` and would otherwise make its own decision. `set` replaces a header
 * of the same name, so only the ones this context does not write are deleted.
 */
export function injectB3(headers: Headers, ctx: B3Context, format: B3Format = 'multi'): void {
  injectB3Ids(onHeaders(headers), toB3TraceId(ctx.traceId), ctx.spanId.toLowerCase(), ctx.parentSpanId ? ctx.parentSpanId.toLowerCase() : undefined, ctx.sampled, ctx.debug === true, format)
}

/**
 * injectB3 for ids already in wire form (lower-case hex, the trace id as B3 writes it), as a span
 * record holds them: positional, so an attempt builds no context object and re-cases no id.
 */
export function injectB3Ids(fields: B3Fields, traceId: string, spanId: string, parentSpanId: string | undefined, sampled: boolean, debug: boolean, format: B3Format, mayHoldB3 = true): void {
  // `mayHoldB3` false: no B3 arrived and none was written yet but what this call overwrites, so
  // there is nothing to delete (a native delete of an absent field still costs ~50 ns on Bun), and
  // each field is added as one the client's fields do not hold.
  if (!mayHoldB3) return addB3(fields, traceId, spanId, parentSpanId, sampled, debug, format)
  if (format === 'single') for (const name of MULTI) fields.delete(name)
  else {
    fields.set('x-b3-traceid', traceId)
    fields.set('x-b3-spanid', spanId)
    if (parentSpanId) fields.set('x-b3-parentspanid', parentSpanId)
    else fields.delete('x-b3-parentspanid')
    fields.set('x-b3-sampled', sampled || debug ? '1' : '0')
    if (debug) fields.set('x-b3-flags', '1')
    else fields.delete('x-b3-flags')
  }
  if (format === 'multi') fields.delete('b3')
  else fields.set('b3', singleB3Of(traceId, spanId, parentSpanId, sampled, debug))
}

/** injectB3Ids where no B3 arrived: what an attempt writes, its retries write again (parent and flags never change within a request). */
function addB3(fields: B3Fields, traceId: string, spanId: string, parentSpanId: string | undefined, sampled: boolean, debug: boolean, format: B3Format): void {
  if (format !== 'single') {
    fields.add('x-b3-traceid', traceId)
    fields.add('x-b3-spanid', spanId)
    if (parentSpanId) fields.add('x-b3-parentspanid', parentSpanId)
    fields.add('x-b3-sampled', sampled || debug ? '1' : '0')
    if (debug) fields.add('x-b3-flags', '1')
  }
  if (format !== 'multi') fields.add('b3', singleB3Of(traceId, spanId, parentSpanId, sampled, debug))
}

/** `{traceid}-{spanid}-{1|0|d}[-{parentspanid}]`, the single header's full form. */
export function singleB3(ctx: B3Context): string {
  return singleB3Of(toB3TraceId(ctx.traceId), ctx.spanId.toLowerCase(), ctx.parentSpanId ? ctx.parentSpanId.toLowerCase() : undefined, ctx.sampled, ctx.debug === true)
}

function singleB3Of(traceId: string, spanId: string, parentSpanId: string | undefined, sampled: boolean, debug: boolean): string {
  const head = `${traceId}-${spanId}-${debug ? 'd' : sampled ? '1' : '0'}`
  return parentSpanId ? `${head}-${parentSpanId}` : head
}
