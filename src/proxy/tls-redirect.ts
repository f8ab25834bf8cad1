// Envoy's virtual host require_tls: a plain-text request to a host that wants TLS gets a 301 to
// the same authority and path over https (EXTERNAL_ONLY spares internal clients).

import type { VirtualHostConfig } from '../config/model.ts'
import { isInternalAddress } from './headers/internal-address.ts'

/** The https URL to redirect to, or undefined when the request may proceed. */
export function tlsRedirectLocation(virtualHost: VirtualHostConfig, request: { readonly authority: string; readonly pathAndQuery: string; readonly downstreamAddress: string }): string | undefined {
  if (virtualHost.requireTls === 'none') return undefined
  if (virtualHost.requireTls === 'external_only' && isInternalAddress(request.downstreamAddress)) return undefined
  // As Envoy's https_redirect: an explicit :80 goes, any other port stays.
  const authority = request.authority.replace(/:80$/, '')
  return `https://${authority}${request.pathAndQuery}`
}
