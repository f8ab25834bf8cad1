// The request fields the phases read before forwarding (Host, the framing fields, Upgrade,
// Connection, x-forwarded-for, user-agent, x-request-id, and whether any field the tracer reads
// came), taken by the arrival walk of the request's
// headers (scanRequestHeaders) in the same pass as the header-size count: one native forEach
// instead of a native get() per field (eight of them, ~3.4 % of a small request's profile on Bun).

/** A field's value as Headers.get answers it (repeats joined with ", "), or null when absent. */
export type ArrivalFields = {
  host: string | null
  forwardedFor: string | null
  userAgent: string | null
  requestId: string | null
  contentLength: string | null
  transferEncoding: string | null
  upgrade: string | null
  connection: string | null
  /**
   * A field the tracer reads arrived (B3's `b3` and `x-b3-*`, `x-client-trace-id`,
   * `x-envoy-force-trace`): without one it has nothing to look up, and no stale B3 to remove.
   */
  tracing: boolean
}

/** The fields whose presence sets ArrivalFields.tracing. */
export const TRACING_FIELDS: readonly string[] = ['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'x-client-trace-id', 'x-envoy-force-trace']

/**
 * The last walk's fields: one record, overwritten by the next request's walk, so read at once
 * (the proxy handler reads it synchronously between the walk and the route phase).
 */
export const arrival: ArrivalFields = emptyFields()

export function emptyFields(): ArrivalFields {
  return { host: null, forwardedFor: null, userAgent: null, requestId: null, contentLength: null, transferEncoding: null, upgrade: null, connection: null, tracing: false }
}

/** The same fields read one get() each, for a caller that did not walk the headers (tests, bench steps). */
export function fieldsOf(headers: Headers): ArrivalFields {
  return {
    host: headers.get('host'),
    forwardedFor: headers.get('x-forwarded-for'),
    userAgent: headers.get('user-agent'),
    requestId: headers.get('x-request-id'),
    contentLength: headers.get('content-length'),
    transferEncoding: headers.get('transfer-encoding'),
    upgrade: headers.get('upgrade'),
    connection: headers.get('connection'),
    tracing: TRACING_FIELDS.some((name) => headers.has(name)),
  }
}

/** Resets `fields` before a walk fills them in. */
export function clearFields(fields: ArrivalFields): void {
  fields.host = fields.forwardedFor = fields.userAgent = fields.requestId = null
  fields.contentLength = fields.transferEncoding = fields.upgrade = fields.connection = null
  fields.tracing = false
}

/** Takes `value` into `fields` when `name` is one of them (forEach gives lower-cased names). */
export function takeField(fields: ArrivalFields, name: string, value: string): void {
  switch (name) {
    case 'host':
      fields.host = value
      return
    case 'x-forwarded-for':
      fields.forwardedFor = value
      return
    case 'user-agent':
      fields.userAgent = value
      return
    case 'x-request-id':
      fields.requestId = value
      return
    case 'content-length':
      fields.contentLength = value
      return
    case 'transfer-encoding':
      fields.transferEncoding = value
      return
    case 'upgrade':
      fields.upgrade = value
      return
    case 'connection':
      fields.connection = value
      return
    case 'b3':
    case 'x-b3-traceid':
    case 'x-b3-spanid':
    case 'x-b3-parentspanid':
    case 'x-b3-sampled':
    case 'x-b3-flags':
    case 'x-client-trace-id':
    case 'x-envoy-force-trace':
      fields.tracing = true
  }
}
