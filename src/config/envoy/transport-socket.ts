// `transport_socket` on a filter chain (downstream) or a cluster (upstream). A listener's TLS
// (DownstreamTlsContext) becomes the compact listener's `tls:`, which uses the same names one
// level flatter; upstream TLS is named in a warning (edgeway does not originate TLS yet).

import { extension } from './extensions.ts'
import { DOWNSTREAM_TLS } from './fields.ts'
import { at, checkKeys, mapping, type Obj } from './reader.ts'
import type { Tx } from './translate.ts'

/** For a downstream socket: the compact `tls` block (or undefined for plain TCP / on errors). */
export function readTransportSocket(tx: Tx, value: unknown, path: string, side: 'downstream' | 'upstream', compactPath = ''): Obj | undefined {
  const socket = mapping(tx.ctx, value, path)
  if (!socket) return undefined
  if (socket.name === 'envoy.transport_sockets.raw_buffer' || socket.name === 'raw_buffer') return undefined
  const ext = extension(tx.ctx, socket, path, ['tls'], 'transport socket')
  if (!ext) return undefined
  if (side === 'upstream') {
    tx.ctx.warn(path, 'TLS to upstreams is not applied by edgeway yet: this cluster is reached over plain HTTP')
    return undefined
  }
  const context = checkKeys(tx.ctx, ext.body, ext.bodyPath, DOWNSTREAM_TLS)
  const commonPath = at(ext.bodyPath, 'common_tls_context')
  const common = mapping(tx.ctx, context.common_tls_context ?? {}, commonPath) ?? {}
  if (context.common_tls_context === undefined) tx.ctx.error(commonPath, 'is required (tls_certificates)')
  tx.paths.link(`${compactPath}.tls`, commonPath)
  tx.paths.link(`${compactPath}.tls.require_client_certificate`, at(ext.bodyPath, 'require_client_certificate'))
  return { ...common, ...(context.require_client_certificate !== undefined && { require_client_certificate: context.require_client_certificate }) }
}
