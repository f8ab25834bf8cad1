// What the admin endpoints read off the configuration generation in force: /config_dump, /certs and
// /server_info. The single-process server and the primary of --concurrency N answer them alike.

import type { Generation } from '../lifecycle/generation.ts'
import { serverInfoOf, type ServerState } from './server-info.ts'

export function generationInfo(sources: {
  /** The generation in force now: a reload replaces it, so it is read when asked. */
  readonly generation: () => Generation
  readonly version: string
  readonly startedAtMs: number
  readonly state: () => ServerState
  readonly commandLineOptions: Record<string, unknown>
  readonly node: { readonly id: string; readonly cluster: string }
  readonly runtime: { readonly name: string; readonly version: string }
}) {
  const { generation } = sources
  return {
    // Loaded when first asked for: the model-to-Envoy code (and node:net under it, which shares the
    // node stream code with process.stdout) stays out of a process nobody dumps (bench/README "Stop 30 — stdout13").
    configDump: async () => {
      const { config, loadedAtMs, version } = generation()
      const { envoyConfigDump } = await import('../config/envoy/config-dump.ts')
      return envoyConfigDump(config, loadedAtMs, String(version))
    },
    tlsListeners: () => generation().config.listeners,
    tlsClusters: () => generation().config.clusters,
    serverInfo: serverInfoOf(sources),
  }
}
