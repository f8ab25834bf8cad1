// Which upstream client carries a request: the runtime's default for plain HTTP/1.1, and one
// client per cluster transport (TLS, HTTP/2), made on first use and kept while the cluster's
// configuration generation lives (a reload brings new transport objects, so new clients).

import type { UpstreamFetch, UpstreamTls, UpstreamTransport } from '../runtime.ts'

export type UpstreamClients = {
  readonly plain: UpstreamFetch
  /** HTTP/1.1 over TLS. */
  readonly tls: (tls: UpstreamTls) => UpstreamFetch
  /** HTTP/2, h2 over TLS or prior-knowledge h2c. */
  readonly http2: (transport: UpstreamTransport) => UpstreamFetch
}

export function routeUpstreamFetch(clients: UpstreamClients): UpstreamFetch {
  const byTransport = new WeakMap<UpstreamTransport, UpstreamFetch>()
  const clientFor = (transport: UpstreamTransport): UpstreamFetch => {
    let client = byTransport.get(transport)
    if (!client) {
      client = transport.http2 ? clients.http2(transport) : transport.tls ? clients.tls(transport.tls) : clients.plain
      byTransport.set(transport, client)
    }
    return client
  }
  return (request) => (request.transport === undefined ? clients.plain(request) : clientFor(request.transport)(request))
}

/**
 * A client whose module loads on its first request (node:tls, node:http2: ~1.5 MiB resident on Bun
 * that a plain-HTTP config never needs); later requests go straight to it.
 */
export function loadedOnFirstUse(load: () => Promise<UpstreamFetch>): UpstreamFetch {
  let client: UpstreamFetch | undefined
  let loading: Promise<UpstreamFetch> | undefined
  return (request) => (client ? client(request) : (loading ??= load().then((loaded) => (client = loaded))).then((loaded) => loaded(request)))
}
