// What each socket asks of the runtime's serve(): idle timeout, body cap, reusePort, TLS and the
// HTTP versions, for proxy listeners (from their config) and for the admin listener (fixed).

import type { ListenerConfig } from '../config/model.ts'
import type { ServeProtocols, ServeTls } from '../runtime.ts'

export type ListenOptions = {
  idleTimeoutSeconds: number
  maxRequestBodyBytes: number
  reusePort: boolean
  maxRequestHeaderBytes?: number
  maxRequestHeaderFields?: number
  proxy?: boolean
  webSocket?: boolean
  tls?: ServeTls
  protocols?: ServeProtocols
}

export function listenerServeOptions(listener: ListenerConfig, reusePort = false): ListenOptions {
  return {
    idleTimeoutSeconds: listener.idleTimeoutMs / 1000,
    // No runtime cap: edgeway answers an oversized body itself (413 with its headers and a log line).
    maxRequestBodyBytes: 0,
    maxRequestHeaderBytes: listener.maxRequestHeadersBytes,
    maxRequestHeaderFields: listener.maxRequestHeadersCount,
    reusePort,
    proxy: true,
    webSocket: listener.websocket || listener.virtualHosts.some((host) => host.routes.some((route) => route.websocket === true)),
    ...(listener.tls && { tls: serveTls(listener) }),
    protocols: listenerProtocols(listener),
  }
}

/** Envoy's codec_type AUTO: HTTP/2 by ALPN over TLS (when alpn_protocols offers h2), by prior knowledge on plain text. */
export function listenerProtocols(listener: ListenerConfig): ServeProtocols {
  const alpnH2 = !listener.tls || listener.tls.alpnProtocols.includes('h2')
  return { http1: listener.codec !== 'http2', http2: listener.codec !== 'http1' && alpnH2, http3: listener.http3 }
}

function serveTls(listener: ListenerConfig): ServeTls {
  const tls = listener.tls!
  return {
    certificates: tls.certificates,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.requireClientCertificate && tls.trustedCaPem !== undefined && { clientCaPem: tls.trustedCaPem }),
  }
}

/** The admin listener (a worker's or the primary's): one process owns its port, bodies are small. */
export const ADMIN_SERVE_OPTIONS: ListenOptions = { idleTimeoutSeconds: 60, maxRequestBodyBytes: 1 << 20, reusePort: false }
