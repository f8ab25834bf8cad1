// Deno runtime: Deno.serve for listeners, the HTTP/1.1 upstream client (src/http1/) on Deno.connect
// sockets. Deno's fetch costs several times more per exchange than the socket ops it wraps
// (profiled: ~17k req/s fetch vs ~120k raw on one core), decompresses bodies and drops our Host.

import type { ConnInfo, FetchHandler, Runtime, ServeOptions, ServerHandle, UpstreamFailure } from '../runtime.ts'
import { createHttp1Client } from '../http1/client.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { denoDial } from './deno-transport.ts'
import { exitProcess, onHangupSignal, onProcessSignals } from './process.ts'

// The handful of Deno APIs edgeway uses; declared here so type-checking needs no Deno types.
type DenoAddr = { hostname: string; port: number }
declare const Deno: {
  version: { deno: string }
  args: string[]
  env: { get(name: string): string | undefined; toObject(): Record<string, string> }
  readTextFile(path: string): Promise<string>
  memoryUsage(): { rss: number }
  serve(
    options: { hostname: string; port: number; reusePort?: boolean; onListen?: (addr: DenoAddr) => void; onError?: (error: unknown) => Response },
    handler: (request: Request, info: { remoteAddr: DenoAddr }) => Response | Promise<Response>,
  ): { addr: DenoAddr; shutdown(): Promise<void>; finished: Promise<void> }
}

async function serve(options: ServeOptions, handler: FetchHandler): Promise<ServerHandle> {
  const server = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      reusePort: options.reusePort || undefined,
      onListen: () => {},
      onError: () => new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } }),
    },
    (request, info) => {
      const conn: ConnInfo = { remoteAddress: info.remoteAddr.hostname, remotePort: info.remoteAddr.port }
      return handler(request, conn)
    },
  )
  return {
    port: server.addr.port,
    close: async () => {
      await server.shutdown()
    },
  }
}

const upstreamClient = createHttp1Client({ dial: denoDial })

// Aborts (timeouts, a departed client) are recognised by the attempt from its own signal; the
// client rejects with nothing but UpstreamErrors otherwise.
function classifyUpstreamError(error: unknown): UpstreamFailure {
  return error instanceof UpstreamError ? error.failure : 'reset'
}

export const denoRuntime: Runtime = {
  name: 'deno',
  version: Deno.version.deno,
  serve,
  upstreamFetch: upstreamClient.fetch,
  decodesBodies: false,
  classifyUpstreamError,
  readTextFile: (path) => Deno.readTextFile(path),
  env: (name) => Deno.env.get(name),
  envAll: () => Deno.env.toObject(),
  args: () => [...Deno.args],
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onHangupSignal,
  exit: exitProcess,
  memoryRss: () => Deno.memoryUsage().rss,
  hardwareConcurrency: () => navigator.hardwareConcurrency,
}
