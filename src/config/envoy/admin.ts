// Envoy's `admin:` block: only its address matters to edgeway (the admin listener's endpoints are
// edgeway's own); access logs of the admin listener are not kept, which is said once.

import { ADMIN } from './fields.ts'
import { checkKeys, mapping, type Obj } from './reader.ts'
import { readAddress } from './socket-address.ts'
import type { Tx } from './translate.ts'

export function readAdmin(tx: Tx, value: unknown): Obj | undefined {
  const { ctx } = tx
  if (value === null) {
    ctx.error('admin', 'is empty (check the indentation of what follows it)')
    return undefined
  }
  const admin = mapping(ctx, value, 'admin')
  if (!admin) return undefined
  checkKeys(ctx, admin, 'admin', ADMIN)
  // Without an address Envoy starts no admin listener; neither does edgeway.
  if (admin.address === undefined) return undefined
  const socket = readAddress(ctx, admin.address, 'admin.address')
  if (!socket) return undefined
  tx.paths.link('admin.address', 'admin.address.socket_address.address')
  tx.paths.link('admin.port', 'admin.address.socket_address.port_value')
  tx.paths.link('admin', 'admin')
  return { address: socket.address, port: socket.port }
}
