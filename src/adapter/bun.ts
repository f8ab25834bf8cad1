// Bun runtime: Bun.serve for listeners, Bun's fetch for upstream attempts (bodies kept encoded).

import http from 'node:http'
import { cpus } from 'node:os'
import type { ConnInfo, FetchHandler, Runtime, ServeOptions, ServerHandle, UpstreamFailure, UpstreamRequest } from '../runtime.ts'
import { exitProcess, onHangupSignal, onProcessSignals } from './process.ts'
import { createHttp1Client } from '../http1/client.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { bunDial } from './bun-transport.ts'

/**
 * Bun's parser answers 431 itself (no log line, no counter) past a process-wide limit, 16 KiB
 * unless `--max-http-header-size` said otherwise; node:http's maxHeaderSize setter moves it at
 * run time. Twice the listener's limit leaves the 431s up to that to edgeway; heads beyond it
 * still get Bun's own (README limits).
 */
function admitHeadersUpTo(bytes: number | undefined): void {
  if (bytes !== undefined && http.maxHeaderSize < 2 * bytes) (http as { maxHeaderSize: number }).maxHeaderSize = 2 * bytes
}

async function serve(options: ServeOptions, handler: FetchHandler): Promise<ServerHandle> {
  admitHeadersUpTo(options.maxRequestHeaderBytes)
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    reusePort: options.reusePort,
    // Bun's default 10 s would reset clients of upstreams slower than that; 0 would never reap.
    idleTimeout: Math.min(255, Math.max(1, Math.ceil(options.idleTimeoutSeconds))),
    maxRequestBodySize: options.maxRequestBodyBytes || Number.MAX_SAFE_INTEGER,
    development: false,
    fetch(request, server) {
      return handler(request, new LazyConnInfo(server, request))
    },
    error() {
      return new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } })
    },
  })
  return {
    port: server.port ?? options.port,
    close: async (force = false) => {
      await server.stop(force)
    },
  }
}

/** Asks Bun for the peer only when read: requestIP cost ~2.5 % of a request that never used it. */
class LazyConnInfo implements ConnInfo {
  #server: Bun.Server<undefined> | undefined
  #request: Request | undefined
  #address = ''
  #port = 0

  constructor(server: Bun.Server<undefined>, request: Request) {
    this.#server = server
    this.#request = request
  }

  get remoteAddress(): string {
    this.#resolve()
    return this.#address
  }

  get remotePort(): number {
    this.#resolve()
    return this.#port
  }

  #resolve(): void {
    if (!this.#server) return
    const peer = this.#server.requestIP(this.#request!)
    this.#address = peer?.address ?? ''
    this.#port = peer?.port ?? 0
    this.#server = this.#request = undefined
  }
}

function fetchUpstream(request: UpstreamRequest): Promise<Response> {
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    redirect: 'manual',
    // Pass gzip bodies through byte for byte, and never let an HTTP_PROXY variable reroute traffic.
    decompress: false,
    proxy: '',
    keepalive: true,
    ...(request.body && { duplex: 'half' }),
  } as RequestInit)
}

/**
 * Bun's fetch stays the default: it runs socket I/O on its own thread, and the raw-socket
 * HTTP/1.1 client (src/http1/) measured 0.63-0.77x its small-body req/s with everything on the JS thread
 * (see README). EDGEWAY_UPSTREAM_CLIENT=http1 selects the client, which enforces connect_timeout.
 */
const upstreamFetch = Bun.env.EDGEWAY_UPSTREAM_CLIENT === 'http1' ? createHttp1Client({ dial: bunDial }).fetch : fetchUpstream

// Aborts (timeouts, a departed client) are recognised by the attempt from its own signal.
function classifyUpstreamError(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamError) return error.failure
  const code = String((error as { code?: string })?.code ?? '')
  // Bun's own refusals (invalid header value, GET with a body) are TypeErrors without a socket code.
  if (error instanceof TypeError && (code === '' || code.startsWith('ERR_INVALID'))) return 'local'
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'FailedToOpenSocket')
    return 'connect'
  return 'reset'
}

export const bunRuntime: Runtime = {
  name: 'bun',
  version: Bun.version,
  serve,
  upstreamFetch,
  decodesBodies: false,
  classifyUpstreamError,
  readTextFile: (path) => Bun.file(path).text(),
  env: (name) => Bun.env[name],
  envAll: () => ({ ...(Bun.env as Record<string, string>) }),
  args: () => Bun.argv.slice(2),
  onShutdownSignal: onProcessSignals,
  onReloadSignal: onHangupSignal,
  exit: exitProcess,
  memoryRss: () => process.memoryUsage.rss(),
  hardwareConcurrency: () => navigator.hardwareConcurrency || cpus().length,
}
