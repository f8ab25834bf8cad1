// Listener features the running runtime's server cannot provide, as config issues: checked at
// load (also by --mode validate), so a config that asks for them stops with one line each instead
// of serving something weaker than it says (no client-certificate check, no SNI, no HTTP/3).

import type { ConfigIssue } from '../config/config-error.ts'
import type { Config } from '../config/model.ts'
import type { Runtime } from '../runtime.ts'
import { listenerProtocols } from './serve-options.ts'

export function unsupportedFeatures(config: Config, runtime: Pick<Runtime, 'name' | 'version' | 'serveSupport'>): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const support = runtime.serveSupport
  const on = `on ${runtime.name === 'deno' ? 'Deno' : 'Bun'} ${runtime.version}`
  config.listeners.forEach((listener, i) => {
    const at = (field: string) => `listeners[${i}].${field}`
    const tls = listener.tls
    if (listener.http3 && !support.http3) issues.push({ path: at('http3'), message: `HTTP/3 is not available ${on} (its server has no QUIC); run this listener on Bun or remove http3` })
    if (tls && tls.certificates.length > 1 && !support.sniCertificates)
      issues.push({ path: at('tls.tls_certificates'), message: `several certificates chosen by SNI are not available ${on} (its server takes one certificate); run on Bun or keep one` })
    if (tls?.requireClientCertificate && !support.clientCertificates)
      issues.push({ path: at('tls.require_client_certificate'), message: `client certificates cannot be required ${on} (its server never asks for one); run on Bun` })
    if (tls && (tls.minVersion !== 'TLSv1_2' || tls.maxVersion !== 'TLSv1_3') && !support.tlsVersionBounds)
      issues.push({ path: at('tls.tls_params'), message: `TLS versions cannot be narrowed ${on} (it always accepts 1.2 and 1.3)` })
    if (listener.maxRequestHeadersCount > support.maxRequestHeaderFields)
      issues.push({ path: at('max_request_headers_count'), message: `${listener.maxRequestHeadersCount} header fields cannot be admitted ${on}: its server refuses a head of more than ${support.maxRequestHeaderFields} field lines itself, before edgeway sees it; use at most ${support.maxRequestHeaderFields}` })
    const protocols = listenerProtocols(listener)
    if ((!protocols.http1 || !protocols.http2) && !support.protocolChoice)
      issues.push({ path: at('codec_type'), message: `${listener.codec.toUpperCase()}${tls && !tls.alpnProtocols.includes('h2') ? ' (alpn_protocols without h2)' : ''} cannot be enforced ${on}: its server always speaks HTTP/1.1 and HTTP/2; use AUTO` })
  })
  return issues
}
