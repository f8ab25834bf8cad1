// Envoy listeners: an address, one filter chain holding one HTTP connection manager. Everything
// else a listener can do (TLS chains picked by SNI, TCP proxying, listener filters) is named.

import { FILTER, FILTER_CHAIN, LISTENER } from './fields.ts'
import { extension } from './extensions.ts'
import { readHcm } from './hcm.ts'
import { at, checkKeys, enumOf, idx, list, mapping, type Obj, str } from './reader.ts'
import { readAddress } from './socket-address.ts'
import { readTransportSocket } from './transport-socket.ts'
import type { Tx } from './translate.ts'

/** Listener filters that only feed filter-chain matching (which edgeway does not do): no effect. */
const INSPECTORS = ['envoy.filters.listener.tls_inspector', 'envoy.listener.tls_inspector', 'envoy.filters.listener.http_inspector', 'envoy.listener.http_inspector']

/** `offset`: where these listeners start among all of them (LDS files add theirs after the static ones). */
export function readListeners(tx: Tx, value: unknown, path: string, offset = 0): Obj[] {
  if (offset === 0) tx.paths.link('listeners', path)
  const entries = list(tx.ctx, value, path)
  const out = entries.map((entry, i) => readListener(tx, entry, idx(path, i), offset + i))
  nameListeners(out, entries)
  return out.map(({ name, ...rest }) => (name === undefined ? rest : { name, ...rest }))
}

function readListener(tx: Tx, value: unknown, path: string, index: number): Obj {
  const { ctx } = tx
  const compactPath = `listeners[${index}]`
  tx.paths.link(compactPath, path)
  const out: Obj = {}
  const listener = mapping(ctx, value, path)
  if (!listener) return out
  checkKeys(ctx, listener, path, LISTENER)
  const name = str(ctx, listener.name, at(path, 'name'))
  if (name !== undefined) out.name = name
  tx.paths.link(`${compactPath}.name`, at(path, 'name'))

  if (listener.address === undefined) ctx.error(at(path, 'address'), 'is required')
  else {
    const socket = readAddress(ctx, listener.address, at(path, 'address'))
    if (socket) Object.assign(out, socket)
    tx.paths.link(`${compactPath}.address`, at(path, 'address.socket_address.address'))
    tx.paths.link(`${compactPath}.port`, at(path, 'address.socket_address.port_value'))
  }
  const direction = enumOf(ctx, listener.traffic_direction, at(path, 'traffic_direction'), ['UNSPECIFIED', 'INBOUND', 'OUTBOUND'])
  if (listener.per_connection_buffer_limit_bytes !== undefined) {
    // Envoy's per-connection buffer limit is also what bounds a replayable request body.
    out.per_request_buffer_limit_bytes = listener.per_connection_buffer_limit_bytes
    tx.paths.link(`${compactPath}.per_request_buffer_limit_bytes`, at(path, 'per_connection_buffer_limit_bytes'))
  }
  list(ctx, listener.listener_filters, at(path, 'listener_filters')).forEach((entry, i) => {
    const filterPath = idx(at(path, 'listener_filters'), i)
    const filter = mapping(ctx, entry, filterPath)
    if (!filter) return
    if (typeof filter.name === 'string' && INSPECTORS.includes(filter.name)) ctx.warn(filterPath, `${filter.name} has no effect in edgeway (one filter chain per listener): ignored`)
    else ctx.unsupported(at(filterPath, 'name'), `listener filter "${String(filter.name)}" is`)
  })

  const chains = list(ctx, listener.filter_chains, at(path, 'filter_chains'))
  if (chains.length === 0) ctx.error(at(path, 'filter_chains'), 'needs one filter chain with an http_connection_manager')
  if (chains.length > 1) ctx.unsupported(idx(at(path, 'filter_chains'), 1), 'more than one filter chain per listener is')
  const chainPath = idx(at(path, 'filter_chains'), 0)
  const chain = chains[0] === undefined ? undefined : mapping(ctx, chains[0], chainPath)
  if (chain) {
    checkKeys(ctx, chain, chainPath, FILTER_CHAIN)
    if (chain.transport_socket !== undefined) {
      const tls = readTransportSocket(tx, chain.transport_socket, at(chainPath, 'transport_socket'), 'downstream', compactPath)
      if (tls) out.tls = tls
    }
    readFilters(tx, chain.filters, at(chainPath, 'filters'), out, compactPath, direction)
  }
  return out
}

function readFilters(tx: Tx, value: unknown, path: string, out: Obj, compactPath: string, direction: string | undefined): void {
  const { ctx } = tx
  let found = false
  list(ctx, value, path).forEach((entry, i) => {
    const filterPath = idx(path, i)
    const filter = mapping(ctx, entry, filterPath)
    if (!filter) return
    checkKeys(ctx, filter, filterPath, FILTER)
    const ext = extension(ctx, filter, filterPath, ['hcm'], 'network filter')
    if (!ext) return
    if (found) return ctx.unsupported(filterPath, 'a second http_connection_manager in one filter chain is')
    found = true
    readHcm(tx, ext.body, ext.bodyPath, out, compactPath, direction)
  })
  if (!found && !ctx.errors.some((e) => e.path.startsWith(path))) ctx.error(path, 'needs an envoy.filters.network.http_connection_manager')
}

/** Envoy names unnamed listeners itself; edgeway uses the stat prefix when it is unique, else the index. */
function nameListeners(out: Obj[], entries: unknown[]): void {
  const taken = new Set(out.map((l) => l.name).filter((n) => typeof n === 'string'))
  const prefixes = out.map((l) => l.stat_prefix)
  out.forEach((l, i) => {
    if (l.name !== undefined || entries[i] === undefined) return
    const prefix = l.stat_prefix
    const unique = typeof prefix === 'string' && prefix && prefixes.filter((p) => p === prefix).length === 1 && !taken.has(prefix)
    l.name = unique ? prefix : `listener_${i}`
    taken.add(l.name as string)
  })
}
