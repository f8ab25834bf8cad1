// What a listener's socket hands each request to: the proxy handler, behind a guard that turns a
// bug into a 500 and keeps the listener serving. Not a Hono app: the route table already decides
// everything Hono's router would, and Hono's per-request context cost ~10 % of small-body req/s on
// Bun (bench/README.md). The admin listener and the trace UI, which do route, are Hono apps.

import type { ConnInfo, ListenerHandler, ProxyRequest, ProxyResponse } from '../runtime.ts'
import type { ProxyHandler } from '../proxy/proxy-handler.ts'

export function buildListenerHandler(handler: ProxyHandler, log: (line: string) => void): ListenerHandler {
  const internalError = (error: unknown): ProxyResponse => {
    // A bug, not a user mistake: keep serving, say so once, answer like Envoy's internal errors.
    log(`edgeway: internal error while proxying: ${(error as Error)?.stack ?? error}`)
    return new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } })
  }
  return (request: ProxyRequest, conn: ConnInfo) => {
    try {
      return handler(request, conn).catch(internalError)
    } catch (error) {
      return internalError(error)
    }
  }
}
