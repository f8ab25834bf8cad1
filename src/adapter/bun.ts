// Bun runtime: Bun.serve for listeners (bun-serve.ts), Bun's fetch for upstream attempts (bodies kept encoded).

import { cpus } from 'node:os'
import type { Runtime, UpstreamFailure, UpstreamRequest } from '../runtime.ts'
import { BUN_SERVE_SUPPORT, serve } from './bun-serve.ts'
import { openWebSocket } from './websocket-client.ts'
import { exitProcess, onHangupSignal, onProcessSignals } from './process.ts'
import { createHttp1Client } from '../http1/client.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { bunDial } from './bun-transport.ts'
import { bunTlsFetch } from './bun-tls-fetch.ts'
import { createNodeHttp2Client } from './node-http2-client.ts'
import { nodeTlsDial } from './node-tls-transport.ts'
import { routeUpstreamFetch } from './upstream-clients.ts'

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
const useHttp1Client = Bun.env.EDGEWAY_UPSTREAM_CLIENT === 'http1'
const plainFetch = useHttp1Client ? createHttp1Client({ dial: bunDial }).fetch : fetchUpstream

// TLS clusters go through Bun's fetch (or the HTTP/1.1 client on node:tls when it is selected).
// HTTP/2 goes through node:http2: Bun's fetch has no h2c, and with `protocol: "http2"` it fails every
// request with HTTP2Unsupported once tls.checkServerIdentity is set (Bun 1.4.5; pinned in
// test/integration/upstream-tls.test.ts), which Envoy's chain-only and SAN checks need.
const upstreamFetch = routeUpstreamFetch({
  plain: plainFetch,
  tls: (tls) => (useHttp1Client ? createHttp1Client({ dial: nodeTlsDial(tls) }).fetch : bunTlsFetch(tls)),
  http2: (transport) => createNodeHttp2Client(transport).fetch,
})

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
  serveSupport: BUN_SERVE_SUPPORT,
  openWebSocket,
  upstreamFetch,
  decodesBodies: false,
  headersEditable: true,
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
