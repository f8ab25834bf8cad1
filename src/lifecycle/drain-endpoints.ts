// Admin endpoints that change what the server does with traffic or config: Envoy's
// POST /drain_listeners (?graceful) and edgeway's POST /reload (nginx's `-s reload` over HTTP).

import type { AdminContext, AdminEndpoint } from '../admin/admin-router.ts'

/** What a reload reports: the new version, or every problem of the rejected config. */
export type ReloadOutcome = { readonly ok: true; readonly version: number } | { readonly ok: false; readonly problems: string }

export function drainEndpoints(deps: { drainListeners: (graceful: boolean) => Promise<void>; reload?: () => Promise<unknown> }): AdminEndpoint[] {
  const endpoints: AdminEndpoint[] = [
    {
      path: '/drain_listeners',
      method: 'POST',
      help: 'stop accepting on every listener (?graceful: answer with connection: close for --drain-time-s first)',
      handle: (c: AdminContext) => {
        // Answered at once: a graceful drain takes the whole drain time.
        void deps.drainListeners(c.req.query('graceful') !== undefined)
        return new Response('OK\n', { headers: { 'content-type': 'text/plain; charset=UTF-8' } })
      },
    },
  ]
  const { reload } = deps
  if (reload)
    endpoints.push({
      path: '/reload',
      method: 'POST',
      help: 're-read the config file(s): a valid config becomes the next generation, an invalid one is rejected',
      handle: async () => {
        const outcome = (await reload()) as ReloadOutcome
        const body = outcome.ok ? `OK: config version ${outcome.version}\n` : `rejected, the running config stays:\n${outcome.problems}\n`
        return new Response(body, { status: outcome.ok ? 200 : 400, headers: { 'content-type': 'text/plain; charset=UTF-8' } })
      },
    })
  return endpoints
}
