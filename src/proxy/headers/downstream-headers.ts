// The headers the client receives from an upstream response: without hop-by-hop headers, plus the
// proxy's own. Edited in place where the runtime's fetched headers may be edited (Bun); a fresh,
// mutable copy otherwise (Deno's fetched headers are immutable).

import type { ListenerConfig } from '../../config/model.ts'
import { connectionTokens, isHopByHop } from './hop-by-hop.ts'

/**
 * `inPlace`: edit and return `upstream` itself. `hopByHopFree`: the upstream client parsed the head
 * and found no hop-by-hop field (src/upstream/hop-by-hop-free.ts): nothing to drop, no walk.
 */
export function downstreamHeaders(upstream: Headers, listener: ListenerConfig, bodyWasDecoded: boolean, upstreamServiceTimeMs: number, inPlace = false, hopByHopFree = false): Headers {
  let headers: Headers
  if (inPlace && hopByHopFree) headers = upstream
  else if (inPlace) {
    listed = connectionTokens(upstream)
    headers = upstream
    // Collected first: deleting while forEach walks the list would skip the entry after each deletion.
    dropped = undefined
    upstream.forEach(collectDropped)
    // (Set by the callback: TypeScript does not see forEach call it.)
    const drop = dropped as string[] | undefined
    dropped = undefined
    if (drop) for (const name of drop) headers.delete(name)
  } else {
    listed = connectionTokens(upstream)
    headers = copy = new Headers()
    // forEach, not for-of: the same on Bun, ten times faster on Deno.
    upstream.forEach(copyCrossing)
    copy = undefined
  }
  listed = undefined
  if (bodyWasDecoded && headers.has('content-encoding')) {
    // The runtime decompressed the body: the upstream's encoding and length no longer describe it.
    headers.delete('content-encoding')
    headers.delete('content-length')
  }
  headers.set('x-envoy-upstream-service-time', String(upstreamServiceTimeMs))
  if (listener.serverName !== undefined) headers.set('server', listener.serverName)
  else headers.delete('server')
  return headers
}

// The forEach callbacks' state in module variables, not closures made per response: one response's
// headers are walked start to end inside one call, so two walks never interleave.
let listed: Set<string> | undefined
let dropped: string[] | undefined
let copy: Headers | undefined

function collectDropped(_value: string, name: string): void {
  if (isHopByHop(name) || listed?.has(name)) (dropped ??= []).push(name)
}

function copyCrossing(value: string, name: string): void {
  if (!isHopByHop(name) && !listed?.has(name)) copy!.append(name, value)
}
