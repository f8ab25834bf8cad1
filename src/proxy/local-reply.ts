// The one place a ProxyError becomes a response: Envoy's status and plain-text body.

import type { ProxyError } from '../errors.ts'

export function localReply(error: ProxyError, serverName: string | undefined): Response {
  const headers = new Headers({ 'content-type': 'text/plain', 'content-length': String(error.body.length) })
  if (serverName !== undefined) headers.set('server', serverName)
  if (error.flag === 'UO') headers.set('x-envoy-overloaded', 'true')
  return new Response(error.body || null, { status: error.status, headers })
}
