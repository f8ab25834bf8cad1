// A served request's headers on Deno, read once and editable in plain JS. Deno's are immutable,
// each get() or has() on them is a case-folding scan of the whole list (~125 ns; a traced request
// asks ~17 times across the phases and the tracer), each forEach() a fresh sorted, combined copy
// (~430 ns, twice a request), and the proxy had to copy them into a fresh Headers to forward them
// (a native append per header, then ~7 native set()s of ~300 ns for x-request-id, x-forwarded-proto,
// the expected timeout and the B3 ids). The serve adapter hands the proxy this snapshot instead:
// one forEach when the request arrives, then walks of one flat array, edited in place as Bun's are
// (Runtime.headersEditable). It answers as a Headers holding the same fields would on Deno: the
// same names, values, sorted and combined order, and the same TypeErrors for invalid names and values.

import { HeaderSnapshot } from '../http1/header-snapshot.ts'

/** The snapshot the next HeadersField puts on its request (a field's initializer takes no constructor argument). */
let stamped: Headers | undefined

/** A base whose constructor returns its argument: a subclass's fields are then defined on that object. */
const ReturnsTarget = function (target: object) {
  return target
} as unknown as new (target: object) => object

/**
 * Defines `headers` as an own field of the request it is given. A served Request gets it by V8's
 * cached field definition (~20–50 ns a request on Deno 2.9.6, measured on Deno.serve's requests),
 * where Object.defineProperty went through the runtime each time (~450 ns).
 */
class HeadersField extends ReturnsTarget {
  readonly headers = stamped!
}

/** Replaces `request.headers` on this one request (an own property over the prototype's getter). */
export function snapshotHeaders(request: Request): void {
  stamped = new HeaderSnapshot(request.headers) as unknown as Headers
  new HeadersField(request)
  stamped = undefined
}
