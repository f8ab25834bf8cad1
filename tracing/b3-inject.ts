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
  if (format === 'single') {
    for (const name of MULTI) headers.delete(name)
  } else {
    headers.set('x-b3-traceid', toB3TraceId(ctx.traceId))
    headers.set('x-b3-spanid', ctx.spanId.toLowerCase())
    if (ctx.parentSpanId) headers.set('x-b3-parentspanid', ctx.parentSpanId.toLowerCase())
    else headers.delete('x-b3-parentspanid')
    headers.set('x-b3-sampled', ctx.sampled || ctx.debug ? '1' : '0')
    if (ctx.debug) headers.set('x-b3-flags', '1')
    else headers.delete('x-b3-flags')
  }
  if (format === 'multi') headers.delete('b3')
  else headers.set('b3', singleB3(ctx))
}

/** `{traceid}-{spanid}-{1|0|d}[-{parentspanid}]`, the single header's full form. */
export function singleB3(ctx: B3Context): string {
  const sampling = ctx.debug ? 'd' : ctx.sampled ? '1' : '0'
  const head = `${toB3TraceId(ctx.traceId)}-${ctx.spanId.toLowerCase()}-${sampling}`
  return ctx.parentSpanId ? `${head}-${ctx.parentSpanId.toLowerCase()}` : head
}
