// A response whose whole body the upstream client already holds (edgeway's HTTP/1.1 client builds
// one when the body came with the head, the usual small answer), with headers it built itself and so
// may be edited on every runtime. The response phase then hands that very Response to the client,
// headers edited in place, instead of reading the body back out and building another Response
// around it (2.2 µs of a small request on Bun, ~8 µs on Deno: bench/phase-cost.ts).
// The mark is a property under a module-private symbol, not a WeakMap entry: an entry cost ~0.08 µs
// a response on Bun and ~0.2 on Deno, plus weak-table work in every collection; the property is a
// shape transition the engine caches (~0.01 µs). Nothing outside this file can read or forge it.

import type { ProxyResponse } from '../runtime.ts'

const WHOLE_BODY = Symbol('edgeway.wholeBody')
type Marked = Response & { [WHOLE_BODY]?: Uint8Array }
const EMPTY = new Uint8Array(0)

/** `new Response(bytes, init)`, marked as holding its whole body (`null`: none, e.g. HEAD or 204). */
export function wholeBodyResponse(bytes: Uint8Array<ArrayBuffer> | null, init: ResponseInit): Response {
  const response: Marked = new Response(bytes, init)
  response[WHOLE_BODY] = bytes ?? EMPTY
  return response
}

/**
 * The whole body of a response made by wholeBodyResponse, or of an answer record holding it
 * (its `wholeBody` field, upstream-answer.ts), unread; undefined for any other.
 */
export function wholeBodyOf(response: ProxyResponse): Uint8Array | undefined {
  return response.bodyUsed ? undefined : ((response as Marked)[WHOLE_BODY] ?? response.wholeBody)
}
