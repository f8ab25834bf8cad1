// One Hono app per listener. Hono owns the HTTP surface (HEAD handling, errors that escape);
// the proxy handler owns the request's phases, in a fixed order documented in proxy-handler.ts.

import { Hono } from 'hono'
import type { ConnInfo } from './adapter/runtime.ts'
import type { ProxyHandler } from './proxy/proxy-handler.ts'

export type ListenerEnv = { Bindings: { conn: ConnInfo } }

export function buildListenerApp(handler: ProxyHandler, log: (line: string) => void): Hono<ListenerEnv> {
  const app = new Hono<ListenerEnv>()
  app.all('*', (c) => handler(c.req.raw, c.env.conn))
  app.onError((error) => {
    // A bug, not a user mistake: keep serving, say so once, answer like Envoy's internal errors.
    log(`edgeway: internal error while proxying: ${(error as Error)?.stack ?? error}`)
    return new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } })
  })
  return app
}
