// `upgrade_configs`, on the HTTP connection manager and on a route's action: Envoy's UpgradeConfig
// onto the compact `{ upgrade_type, enabled }`. edgeway proxies WebSocket upgrades only; any other
// upgrade type, upgrade filters and CONNECT settings are named as not supported.

import type { MessageSpec } from './fields.ts'
import { at, checkKeys, idx, list, mapping, str, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

export function readUpgradeConfigs(tx: Tx, value: unknown, path: string, spec: MessageSpec): { upgrade_type: string; enabled?: boolean }[] {
  const { ctx } = tx
  const out: { upgrade_type: string; enabled?: boolean }[] = []
  list(ctx, value, path).forEach((entry, i) => {
    const entryPath = idx(path, i)
    const upgrade = mapping(ctx, entry, entryPath)
    if (!upgrade) return
    checkKeys(ctx, upgrade, entryPath, spec)
    const type = str(ctx, upgrade.upgrade_type, at(entryPath, 'upgrade_type'))
    if (type === undefined) {
      if (upgrade.upgrade_type === undefined) ctx.error(at(entryPath, 'upgrade_type'), 'is required')
      return
    }
    if (type.toLowerCase() !== 'websocket') {
      ctx.error(at(entryPath, 'upgrade_type'), `"${type}" upgrades are not supported by edgeway (only websocket)`)
      return
    }
    const enabled = unwrap(upgrade.enabled)
    if (enabled !== undefined && typeof enabled !== 'boolean') {
      ctx.error(at(entryPath, 'enabled'), 'expected true or false')
      return
    }
    out.push({ upgrade_type: 'websocket', ...(enabled !== undefined && { enabled }) })
  })
  return out
}
