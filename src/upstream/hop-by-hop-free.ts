// A response whose head the upstream client parsed itself and found without hop-by-hop fields
// (RFC 9110 §7.6.1: no Connection, Keep-Alive, Proxy-*, TE, Trailer or Upgrade field; the client
// never hands Transfer-Encoding on). Nothing in its headers can then be named by a Connection field
// either, so the response phase skips its walk over them (one native forEach and a Connection
// lookup of every small response on Bun, ~3 % of its in-process profile) and deletes nothing.
// A module-private symbol property rather than a WeakSet entry, for the reason whole-body.ts gives.

import type { ProxyResponse } from '../runtime.ts'

const HOP_BY_HOP_FREE = Symbol('edgeway.hopByHopFree')
type Marked = Response & { [HOP_BY_HOP_FREE]?: true }

/** The client's side: `response`'s headers are exactly fields of a head with no hop-by-hop field. */
export function marksHopByHopFree(response: Response): void {
  ;(response as Marked)[HOP_BY_HOP_FREE] = true
}

/** True only for a response marked by marksHopByHopFree or an answer record saying so (its `hopByHopFree` field); any other may carry hop-by-hop fields. */
export function isHopByHopFree(response: ProxyResponse): boolean {
  return (response as Marked)[HOP_BY_HOP_FREE] === true || response.hopByHopFree === true
}
