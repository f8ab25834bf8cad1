// Envoy's `address: { socket_address: { address, port_value } }`, read into edgeway's
// `{ address, port }`; values pass through as written so the compact schema judges them.

import { ADDRESS, SOCKET_ADDRESS } from './fields.ts'
import { at, checkKeys, type Ctx, enumOf, mapping } from './reader.ts'

export type SocketAddress = { readonly address: unknown; readonly port: unknown }

/** `value` is an Envoy Address (`{ socket_address }`) at `path`. */
export function readAddress(ctx: Ctx, value: unknown, path: string): SocketAddress | undefined {
  const address = mapping(ctx, value, path)
  if (!address) return undefined
  checkKeys(ctx, address, path, ADDRESS)
  if (address.socket_address === undefined) {
    if (address.pipe === undefined && address.envoy_internal_address === undefined) ctx.error(at(path, 'socket_address'), 'is required')
    return undefined
  }
  return readSocketAddress(ctx, address.socket_address, at(path, 'socket_address'))
}

/** `value` is a SocketAddress (`{ address, port_value }`) at `path`. */
export function readSocketAddress(ctx: Ctx, value: unknown, path: string): SocketAddress | undefined {
  const socket = mapping(ctx, value, path)
  if (!socket) return undefined
  checkKeys(ctx, socket, path, SOCKET_ADDRESS)
  const protocol = enumOf(ctx, socket.protocol, at(path, 'protocol'), ['TCP', 'UDP'])
  if (protocol === 'UDP') ctx.unsupported(at(path, 'protocol'), 'UDP is')
  if (socket.address === undefined) ctx.error(at(path, 'address'), 'is required')
  if (socket.port_value === undefined) ctx.error(at(path, 'port_value'), 'is required')
  return { address: socket.address, port: socket.port_value }
}
