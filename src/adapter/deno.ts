// Deno runtime: Deno.serve for listeners, an HTTP/1.1 upstream client on Deno.connect sockets.

import type { ConnInfo, FetchHandler, Runtime, ServeOptions, ServerHandle, UpstreamFailure } from '../runtime.ts'
import { denoHttp1Fetch, UpstreamConnectError } from './http1/deno-http1-client.ts'
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

// Aborts (timeouts, a departed client) are recognised by the attempt from its own signal.
function classifyUpstreamError(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamConnectError) return 'connect'
  const detail = `${(error as Error)?.message} ${((error as Error)?.cause as Error | undefined)?.message ?? ''}`
  if (/Connect\)|connection refused|tcp connect error|are blocked/i.test(detail)) return 'connect'
  return 'reset'
}

export const denoRuntime: Runtime = {
  name: 'deno',
  version: Deno.version.deno,
  serve,
  upstreamFetch: denoHttp1Fetch,
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
