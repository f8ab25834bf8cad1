// Bun's fetch to HTTP/1.1 TLS clusters: `tls` (ca, servername, rejectUnauthorized, cert, key,
// checkServerIdentity). A failed handshake rejects with its transportFailureReason for the 503 UF reply.

import type { UpstreamFetch, UpstreamTls } from '../runtime.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { tlsClientOptions, tlsFailureReason } from './upstream-tls-options.ts'
import { bunFetch } from './bun-fetch.ts'

export function bunTlsFetch(upstreamTls: UpstreamTls): UpstreamFetch {
  const tls = tlsClientOptions(upstreamTls)
  return (request) =>
    bunFetch(`https${request.url.slice(4)}`, request, tls).catch((error: Error & { code?: string }) => {
      const reason = tlsFailureReason(error)
      if (reason) throw new UpstreamError('connect', error.code ?? 'TlsError', error.message, { cause: Object.assign(error, { transportFailureReason: reason }) })
      throw error
    })
}
