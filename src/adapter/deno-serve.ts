// Deno.serve for a listener: one certificate (Deno.serve takes a single cert/key pair), HTTP/1.1
// and HTTP/2 always both on (ALPN h2 over TLS, prior-knowledge h2c on plain text), no HTTP/3.

import type { ConnInfo, FetchHandler, ServeOptions, ServerHandle, ServeSupport, WebSocketBridge } from '../runtime.ts'
import { snapshotHeaders } from './deno-request-headers.ts'

// The handful of Deno APIs edgeway uses; declared here so type-checking needs no Deno types.
type DenoAddr = { hostname: string; port: number }
export type DenoApi = {
  version: { deno: string }
  args: string[]
  env: { get(name: string): string | undefined; toObject(): Record<string, string> }
  readTextFile(path: string): Promise<string>
  memoryUsage(): { rss: number }
  upgradeWebSocket(request: Request, options?: { protocol?: string; idleTimeout?: number }): { socket: WebSocket; response: Response }
  serve(
    options: { hostname: string; port: number; reusePort?: boolean; cert?: string; key?: string; onListen?: (addr: DenoAddr) => void; onError?: (error: unknown) => Response },
    handler: (request: Request, info: { remoteAddr: DenoAddr }) => Response | Promise<Response>,
  ): { addr: DenoAddr; shutdown(): Promise<void>; finished: Promise<void> }
}
declare const Deno: DenoApi
export const denoApi = (): DenoApi => Deno

/**
 * Measured on Deno 2.9: no SNI choice, no client-certificate request, no TLS version range, h2 and
 * HTTP/1.1 cannot be turned off, no QUIC in Deno.serve. unsupportedFeatures() refuses such configs.
 */
// Deno.serve answers a head of 129 field lines or more with its own 400 (empty body, connection
// closed) before edgeway sees it (test/integration/runtime-limits.test.ts pins it).
export const DENO_SERVE_SUPPORT: ServeSupport = { sniCertificates: false, clientCertificates: false, tlsVersionBounds: false, protocolChoice: false, http3: false, maxRequestHeaderFields: 128 }

/** Deno.upgradeWebSocket, with its events handed to the proxy's bridge; idleTimeout pings the client. */
function upgrade(request: Request, bridge: WebSocketBridge, protocol: string | undefined, idleTimeoutSeconds: number): Response {
  const { socket, response } = Deno.upgradeWebSocket(request, { ...(protocol && { protocol }), idleTimeout: Math.max(1, Math.ceil(idleTimeoutSeconds)) })
  socket.binaryType = 'arraybuffer'
  socket.onopen = () =>
    bridge.open({
      send: (data) => socket.send(data),
      bufferedAmount: () => socket.bufferedAmount,
      close: (code, reason) => (code === undefined || code === 1005 || code === 1006 ? socket.close() : socket.close(code, reason)),
    })
  socket.onmessage = (event) => bridge.message(typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer))
  socket.onclose = (event) => bridge.close(event.code, event.reason)
  return response
}

function urlAuthority(url: string): string {
  const start = url.indexOf('//') + 2
  const end = url.indexOf('/', start)
  return url.slice(start, end < 0 ? url.length : end)
}

export async function serve(options: ServeOptions, fetchHandler: FetchHandler): Promise<ServerHandle> {
  // Every answer on Deno is a Response: only Bun's HTTP/1.1 client under the byte listener switch
  // makes answer records (src/upstream/upstream-answer.ts), and Deno has no byte listener.
  const handler = fetchHandler as (request: Request, conn: ConnInfo) => Response | Promise<Response>
  const certificate = options.tls?.certificates[0]
  const server = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      reusePort: options.reusePort || undefined,
      ...(certificate && { cert: certificate.certificateChainPem, key: certificate.privateKeyPem }),
      onListen: () => {},
      onError: () => new Response('internal error\n', { status: 500, headers: { 'content-type': 'text/plain' } }),
    },
    (request, info) => {
      // Read once: every later header read is a walk of one JS array, not a scan of Deno's immutable list.
      snapshotHeaders(request)
      // Read once: each read of info.remoteAddr asks Deno again for a fresh object (~80 ns).
      const peer = info.remoteAddr
      const conn: ConnInfo = {
        remoteAddress: peer.hostname,
        remotePort: peer.port,
        upgradeWebSocket: (bridge, protocol) => upgrade(request, bridge, protocol, options.idleTimeoutSeconds),
      }
      // Deno keeps an HTTP/2 request's :authority only in the URL, never as Host. (An HTTP/1.1
      // request without Host looks the same, with "localhost:<port>" in the URL: it is routed as that
      // instead of answered 400, the one difference from Bun here.)
      if (!request.headers.has('host')) return handler(request, { ...conn, authority: urlAuthority(request.url), protocol: 'HTTP/2' })
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
