// Writes the B3 context onto the upstream request as multi headers, the form Envoy writes and reads.

import { toB3TraceId } from './trace-ids.ts'

export type B3Context = {
  traceId: string
  spanId: string
  parentSpanId?: string
  sampled: boolean
  debug?: boolean
}

/**
 * Replaces whatever B3 the downstream sent: a stale single `b3` would win over our multi headers at
 * the next hop. `x-b3-sampled` is written even with debug (the B3 spec says flags alone suffice) because
 * Envoy never reads `x-b3-flags` and would otherwise make its own decision. `set` replaces a header
 * of the same name, so only the ones this context does not write are deleted.
 */
export function injectB3(headers: Headers, ctx: B3Context): void {
  headers.delete('b3')
  headers.set('x-b3-traceid', toB3TraceId(ctx.traceId))
  headers.set('x-b3-spanid', ctx.spanId.toLowerCase())
  if (ctx.parentSpanId) headers.set('x-b3-parentspanid', ctx.parentSpanId.toLowerCase())
  else headers.delete('x-b3-parentspanid')
  headers.set('x-b3-sampled', ctx.sampled || ctx.debug ? '1' : '0')
  if (ctx.debug) headers.set('x-b3-flags', '1')
  else headers.delete('x-b3-flags')
}
