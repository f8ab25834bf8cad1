// Deno runtime: Deno.serve for listeners (deno-serve.ts), the HTTP/1.1 upstream client (src/http1/)
// on Deno.connect sockets. Deno's fetch costs several times more per exchange than the socket ops it
// wraps (profiled: ~17k req/s fetch vs ~120k raw on one core), decompresses bodies and drops our Host.

import type { Runtime, UpstreamFailure } from '../runtime.ts'
import { createHttp1Client } from '../http1/client.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { DENO_SERVE_SUPPORT, denoApi, serve } from './deno-serve.ts'
import { openWebSocket } from './websocket-client.ts'
import { denoDial } from './deno-transport.ts'
import { loadedOnFirstUse, routeUpstreamFetch } from './upstream-clients.ts'
import { exitProcess, onHangupSignal, onProcessSignals } from './process.ts'

// TLS clusters: the same HTTP/1.1 client on node:tls; HTTP/2 (h2 and h2c) through node:http2, because
// Deno's fetch verifies the certificate against the address it dials and cannot send another SNI name.
// Both load on a cluster's first request, as on Bun: node:tls and node:http2 stay out of a process
// whose clusters are plain.
const upstreamFetch = routeUpstreamFetch({
  plain: createHttp1Client({ dial: denoDial }).fetch,
  tls: (tls) =>
    loadedOnFirstUse(async () => {
      const { nodeTlsDial } = await import('./node-tls-transport.ts')
      return createHttp1Client({ dial: nodeTlsDial(tls) }).fetch
    }),
  http2: (transport) => loadedOnFirstUse(async () => (await import('./node-http2-client.ts')).createNodeHttp2Client(transport).fetch),
})

// Aborts (timeouts, a departed client) are recognised by the attempt from its own signal; the
// client rejects with nothing but UpstreamErrors otherwise.
function classifyUpstreamError(error: unknown): UpstreamFailure {
  return error instanceof UpstreamError ? error.failure : 'reset'
}

export const denoRuntime: Runtime = {
  name: 'deno',
  version: denoApi().version.deno,
  serve,
  serveSupport: DENO_SERVE_SUPPORT,
  openWebSocket,
  upstreamFetch,
  decodesBodies: false,
  // The serve adapter's request headers are its own editable snapshot (deno-request-headers.ts), and
  // every upstream Response is one edgeway's clients built, with mutable Headers.
  headersEditable: true,
  sequentialStrings: true,
  classifyUpstreamError,
  readTextFile: (path) => denoApi().readTextFile(path),
  env: (name) => denoApi().env.get(name),
  envAll: () => denoApi().env.toObject(),
  args: () => [...denoApi().args],
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onHangupSignal,
  exit: exitProcess,
  memoryRss: () => denoApi().memoryUsage().rss,
  hardwareConcurrency: () => navigator.hardwareConcurrency,
  nonBlockingStdio: () => {},
}
