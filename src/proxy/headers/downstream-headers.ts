// The headers the client receives from an upstream response: a fresh, mutable copy (Deno's
// fetched headers are immutable) without hop-by-hop headers, plus the proxy's own.

import type { ListenerConfig } from '../../config/model.ts'
import { connectionTokens, isHopByHop } from './hop-by-hop.ts'

export function downstreamHeaders(upstream: Headers, listener: ListenerConfig, bodyWasDecoded: boolean, upstreamServiceTimeMs: number): Headers {
  const listed = connectionTokens(upstream)
  const headers = new Headers()
  // forEach, not for-of: the same on Bun, ten times faster on Deno.
  upstream.forEach((value, name) => {
    if (!isHopByHop(name) && !listed?.has(name)) headers.append(name, value)
  })
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
