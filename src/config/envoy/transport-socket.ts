// `transport_socket` on a filter chain (downstream) or a cluster (upstream). TLS is named in a
// warning until edgeway's TLS work reads it; any other transport socket is not supported.

import { extension } from './extensions.ts'
import { mapping } from './reader.ts'
import type { Tx } from './translate.ts'

export function readTransportSocket(tx: Tx, value: unknown, path: string, side: 'downstream' | 'upstream'): void {
  const socket = mapping(tx.ctx, value, path)
  if (!socket) return
  if (socket.name === 'envoy.transport_sockets.raw_buffer' || socket.name === 'raw_buffer') return
  const ext = extension(tx.ctx, socket, path, ['tls'], 'transport socket')
  if (!ext) return
  tx.ctx.warn(
    path,
    side === 'downstream'
      ? 'TLS is not applied by edgeway from an Envoy file yet: this listener serves plain HTTP'
      : 'TLS to upstreams is not applied by edgeway yet: this cluster is reached over plain HTTP',
  )
}
