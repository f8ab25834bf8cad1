// Bun runtime: Bun.serve for listeners (bun-serve.ts), edgeway's HTTP/1.1 client (src/http1/) on
// Bun.connect sockets for upstream attempts, or Bun's fetch (bodies kept encoded) when asked for.

import { cpus } from 'node:os'
import type { FetchHandler, ListenerHandler, Runtime, ServeOptions, ServerHandle, UpstreamFailure, UpstreamFetch, UpstreamRequest } from '../runtime.ts'
import { BUN_SERVE_SUPPORT, serve as bunServe, type ResponseHandler } from './bun-serve.ts'
import { toResponses } from '../upstream/to-response.ts'
import { listenBytes } from './bun-listen.ts'
import { openWebSocket } from './websocket-client.ts'
import { exitProcess, onHangupSignal, onProcessSignals } from './process.ts'
import { createHttp1Client } from '../http1/client.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { bunDial } from './bun-transport.ts'
import { bunFetch } from './bun-fetch.ts'
import { bunDirectBodyStream } from './bun-body-stream.ts'
import { loadedOnFirstUse, routeUpstreamFetch } from './upstream-clients.ts'

/**
 * Bun's fetch owns its connections out of our sight: of the connection stats it can only report a
 * connect that failed (upstream_cx_connect_fail); upstream_cx_total/_active/_destroy, the connect
 * and length histograms and the max_connections / max_pending_requests breakers need the HTTP/1.1 client.
 */
function reportingConnectFailures(fetchFn: UpstreamFetch): UpstreamFetch {
  return (request) => {
    const response = fetchFn(request)
    const connections = request.connections
    if (!connections) return response
    return response.catch((error: unknown) => {
      if (!request.signal.aborted && classifyUpstreamError(error) === 'connect') connections.connectFailed()
      throw error
    })
  }
}

const fetchUpstream = reportingConnectFailures(fetchOnce)

function fetchOnce(request: UpstreamRequest): Promise<Response> {
  return bunFetch(request.url, request)
}

/**
 * The HTTP/1.1 client is the default: it costs about the CPU per small request Bun's fetch does
 * (and less per large one), and only it sees connections, so connect_timeout, the upstream_cx_*
 * stats and the max_connections / max_pending_requests breakers hold (README "Performance").
 * EDGEWAY_UPSTREAM_CLIENT=fetch selects Bun's fetch, whose socket I/O runs on a thread of its own.
 */
const useFetch = Bun.env.EDGEWAY_UPSTREAM_CLIENT === 'fetch'
// A streamed response body reaches Bun.serve through a direct stream (bun-body-stream.ts): each
// chunk written to the server's sink as it arrives, with no JS queue between (bench/README "1 MiB
// through a Bun direct stream"). The byte listener's writer reads bodies with a JS reader, through
// which a direct stream cost more than the standard queued one (1 MiB: ~950 against ~720 µs a
// request, bench/README stop 33 loop18): under EDGEWAY_LISTENER=bytes the client makes queued ones
// (a TLS listener's Bun.serve then gets those too).
const bodyStreams = Bun.env.EDGEWAY_LISTENER === 'bytes' ? undefined : bunDirectBodyStream
// Under the same switch a whole-body answer is a record the byte listener writes as it is, with no
// Response made (src/upstream/upstream-answer.ts); serve() below turns records into Responses for
// the listeners Bun.serve keeps.
const answerRecords = Bun.env.EDGEWAY_LISTENER === 'bytes'
const plainFetch: UpstreamFetch = useFetch ? fetchUpstream : createHttp1Client({ dial: bunDial, bodyStreams, answerRecords }).fetch

// TLS clusters go through the HTTP/1.1 client on node:tls (or Bun's fetch when it is selected).
// HTTP/2 goes through node:http2: Bun's fetch has no h2c, and with `protocol: "http2"` it fails every
// request with HTTP2Unsupported once tls.checkServerIdentity is set (Bun 1.4.5; pinned in
// test/integration/upstream-tls.test.ts), which Envoy's chain-only and SAN checks need.
const upstreamFetch = routeUpstreamFetch({
  plain: plainFetch,
  tls: (tls) =>
    loadedOnFirstUse(async () => {
      if (useFetch) return reportingConnectFailures((await import('./bun-tls-fetch.ts')).bunTlsFetch(tls))
      const { nodeTlsDial } = await import('./node-tls-transport.ts')
      return createHttp1Client({ dial: nodeTlsDial(tls), bodyStreams, answerRecords }).fetch
    }),
  http2: (transport) => loadedOnFirstUse(async () => (await import('./node-http2-client.ts')).createNodeHttp2Client(transport).fetch),
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

/**
 * EDGEWAY_LISTENER=bytes serves plain HTTP/1.1 proxy listeners from Bun.listen and edgeway's own
 * request-head parser (bun-listen.ts, docs/architecture/byte-listener.md) instead of Bun.serve: an
 * opt-in while it is measured and hardened. TLS, HTTP/2-only and HTTP/3 listeners, listeners whose
 * routes may upgrade to WebSocket (the byte tunnel is phase 6) and the admin listener stay on Bun.serve. A codec_type AUTO plain listener moves too and so loses
 * prior-knowledge h2c: its preface (`PRI * HTTP/2.0`) is answered 505 and the connection closed.
 */
const useBytes = Bun.env.EDGEWAY_LISTENER === 'bytes'

/** Whether the byte-level listener takes this socket: see useBytes. */
export function servedFromBytes(options: ServeOptions): boolean {
  return options.proxy === true && options.webSocket !== true && options.tls === undefined && (options.protocols?.http1 ?? true) && !(options.protocols?.http3 ?? false)
}

function serve(options: ServeOptions, handler: FetchHandler): Promise<ServerHandle> {
  // A proxy listener's handler is a ListenerHandler kept as a FetchHandler (ListenerSet): it takes any ProxyRequest.
  if (useBytes && servedFromBytes(options)) return listenBytes(options, handler as ListenerHandler)
  // Without the switch no upstream client makes an answer record: every answer is a Response and
  // goes to Bun.serve untouched (no promise more per request). With it, a listener Bun.serve keeps
  // (TLS, HTTP/2, WebSocket, admin) gets its records turned into Responses here, its boundary.
  if (!useBytes) return bunServe(options, handler as ResponseHandler)
  return bunServe(options, (request, conn) => toResponses(handler(request, conn)))
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
  sequentialStrings: false,
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
  // A FileSink on a pipe sets O_NONBLOCK on it as it opens (what process.stdout does too, but that
  // loads the node stream code); nothing is written through these two (access-log-flush.test.ts).
  nonBlockingStdio: () => void (Bun.stdout.writer(), Bun.stderr.writer()),
}
