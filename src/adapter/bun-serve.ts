// Bun.serve for a listener: TLS (one tls entry per SNI name), HTTP/1.1, HTTP/2 (ALPN h2 or
// prior-knowledge h2c) and HTTP/3 as Bun 1.4 offers them, and the peer address read lazily.

import { admitHeadersUpTo } from './bun-header-limit.ts'
import type { ConnInfo, ServeOptions, ServerHandle, ServeSupport, ServeTls, WebSocketBridge, WebSocketPeer } from '../runtime.ts'

/** Bun 1.4's server does all of it (http2/http3 are marked experimental: tested in test/integration/). */
// Bun.serve answers a head of 199 field lines or more with its own bare 431 (Connection: close, no
// body), whatever --max-http-header-size says (test/integration/runtime-limits.test.ts pins it).
export const BUN_SERVE_SUPPORT: ServeSupport = { sniCertificates: true, clientCertificates: true, tlsVersionBounds: true, protocolChoice: true, http3: true, maxRequestHeaderFields: 198 }

// BoringSSL's SSL_OP_NO_* bits: Bun.serve takes a version range only as secureOptions.
const NO_TLS_1_0_TO_1_2 = 0x04000000 | 0x10000000 | 0x08000000
const NO_TLS_1_3 = 0x20000000

/**
 * Bun picks a `tls` entry by `serverName` and falls back to the first for an unknown or absent
 * name, so the default certificate goes first and a certificate with several names repeats.
 */
function bunTls(tls: ServeTls): Bun.TLSOptions[] {
  const secureOptions = (tls.minVersion === 'TLSv1_3' ? NO_TLS_1_0_TO_1_2 : 0) | (tls.maxVersion === 'TLSv1_2' ? NO_TLS_1_3 : 0)
  const common = {
    ...(secureOptions && { secureOptions }),
    ...(tls.clientCaPem !== undefined && { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: true }),
  }
  const entries: Bun.TLSOptions[] = []
  const unnamedFirst = [...tls.certificates].sort((a, b) => Number(a.serverNames.length > 0) - Number(b.serverNames.length > 0))
  for (const certificate of unnamedFirst) {
    const pair = { ...common, cert: certificate.certificateChainPem, key: certificate.privateKeyPem }
    if (certificate.serverNames.length === 0) entries.push(pair)
    for (const serverName of certificate.serverNames) entries.push({ ...pair, serverName })
  }
  return entries
}

/** What Bun.serve calls: a handler answering with Responses (bun.ts turns a proxy handler's records into them). */
export type ResponseHandler = (request: Request, conn: ConnInfo) => Response | Promise<Response>

export async function serve(options: ServeOptions, handler: ResponseHandler): Promise<ServerHandle> {
  await admitHeadersUpTo(options.maxRequestHeaderBytes)
  const protocols = options.protocols ?? { http1: true, http2: false, http3: false }
  // Bun does not say which version a request came in on; a listener that speaks nothing else does.
  const onlyHttp2 = !protocols.http1 && protocols.http2 && !protocols.http3
  const server = Bun.serve<WebSocketBridge>({
    hostname: options.hostname,
    port: options.port,
    reusePort: options.reusePort,
    ...(options.tls && { tls: bunTls(options.tls) }),
    // Bun's defaults are HTTP/1.1 only; http1: false refuses HTTP/1.x (codec HTTP2).
    http1: protocols.http1,
    http2: protocols.http2,
    http3: protocols.http3,
    // Bun's default 10 s would reset clients of upstreams slower than that; 0 would never reap.
    idleTimeout: Math.min(255, Math.max(1, Math.ceil(options.idleTimeoutSeconds))),
    maxRequestBodySize: options.maxRequestBodyBytes || Number.MAX_SAFE_INTEGER,
    development: false,
    // Upgraded streams: each socket's data is the proxy's bridge (LazyConnInfo.upgradeWebSocket).
    websocket: {
      // Past its backpressureLimit Bun drops a message and carries on; the proxy's bridge closes the
      // stream at its own limit instead (src/proxy/websocket.ts), so Bun's is lifted.
      backpressureLimit: 0,
      idleTimeout: Math.min(960, Math.max(1, Math.ceil(options.idleTimeoutSeconds))),
      open(ws) {
        ws.data.open(peerOf(ws))
      },
      message(ws, message) {
        ws.data.message(typeof message === 'string' ? message : new Uint8Array(message))
      },
      close(ws, code, reason) {
        ws.data.close(code, reason)
      },
    },
    fetch(request, server) {
      return handler(request, new LazyConnInfo(server, request, onlyHttp2))
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
type BunSocket = Bun.ServerWebSocket<WebSocketBridge>

const UPGRADED = new Response(null, { status: 200 })

function peerOf(ws: BunSocket): WebSocketPeer {
  return {
    send: (data) => void ws.send(data),
    bufferedAmount: () => ws.getBufferedAmount(),
    close: (code, reason) => (code === undefined || code === 1005 || code === 1006 ? ws.close() : ws.close(code, reason)),
  }
}

class LazyConnInfo implements ConnInfo {
  #server: Bun.Server<WebSocketBridge> | undefined
  #request: Request | undefined
  readonly #upgradeServer: Bun.Server<WebSocketBridge>
  readonly #upgradeRequest: Request
  #address = ''
  #port = 0

  readonly protocol: 'HTTP/2' | undefined

  constructor(server: Bun.Server<WebSocketBridge>, request: Request, onlyHttp2: boolean) {
    this.#server = this.#upgradeServer = server
    this.#request = this.#upgradeRequest = request
    this.protocol = onlyHttp2 ? 'HTTP/2' : undefined
  }

  get remoteAddress(): string {
    this.#resolve()
    return this.#address
  }

  get remotePort(): number {
    this.#resolve()
    return this.#port
  }

  upgradeWebSocket(bridge: WebSocketBridge, protocol: string | undefined): Response {
    const upgraded = this.#upgradeServer.upgrade(this.#upgradeRequest, { data: bridge, ...(protocol && { headers: { 'sec-websocket-protocol': protocol } }) })
    if (!upgraded) throw new Error('Bun refused the WebSocket upgrade')
    // Measured: after a successful upgrade Bun ignores what fetch returns.
    return UPGRADED
  }

  #resolve(): void {
    if (!this.#server) return
    const peer = this.#server.requestIP(this.#request!)
    this.#address = peer?.address ?? ''
    this.#port = peer?.port ?? 0
    this.#server = this.#request = undefined
  }
}

