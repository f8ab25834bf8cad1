// `/config_dump` in Envoy's shape: `configs[]` of BootstrapConfigDump, ClustersConfigDump,
// ListenersConfigDump and RoutesConfigDump, so tools that read Envoy's dump read edgeway's; the
// bootstrap it holds loads back as a config (`edgeway -c dump-bootstrap.json`).

import type * as M from '../model.ts'
import { modelToEnvoy } from './from-model.ts'

const ADMIN = 'type.googleapis.com/envoy.admin.v3.'

type Obj = Record<string, any>

/** `versionInfo`: the config generation (hot reload), on the listener and cluster dumps as Envoy's. */
export function envoyConfigDump(config: M.Config, lastUpdatedMs: number, versionInfo = '1'): { configs: Obj[] } {
  const { bootstrap } = modelToEnvoy(config)
  const last_updated = new Date(lastUpdatedMs).toISOString()
  const resources = bootstrap.static_resources as { listeners: Obj[]; clusters: Obj[] }
  const routeConfigs = resources.listeners.map((l) => l.filter_chains[0].filters[0].typed_config.route_config as Obj)
  // What came from LDS / CDS files is dumped as Envoy dumps discovered resources (the sandbox reads
  // `.configs[1].dynamic_active_clusters`), and the bootstrap names the files again, not their content.
  const fromLds = new Set(config.dynamic?.lds?.names ?? [])
  const fromCds = new Set(config.dynamic?.cds?.names ?? [])
  const cluster = (c: Obj) => ({ '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', ...c })
  const listener = (l: Obj) => ({ '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', ...l })
  const dumped = config.dynamic ? withDynamicResources(bootstrap, config.dynamic, fromLds, fromCds) : bootstrap
  return {
    configs: [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: dumped, last_updated },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        version_info: versionInfo,
        static_clusters: resources.clusters.filter((c) => !fromCds.has(c.name)).map((c) => ({ cluster: cluster(c), last_updated })),
        ...(fromCds.size && { dynamic_active_clusters: resources.clusters.filter((c) => fromCds.has(c.name)).map((c) => ({ version_info: versionInfo, cluster: cluster(c), last_updated })) }),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        version_info: versionInfo,
        static_listeners: resources.listeners.filter((l) => !fromLds.has(l.name)).map((l) => ({ listener: listener(l), last_updated })),
        ...(fromLds.size && {
          dynamic_listeners: resources.listeners.filter((l) => fromLds.has(l.name)).map((l) => ({ name: l.name, active_state: { version_info: versionInfo, listener: listener(l), last_updated } })),
        }),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        static_route_configs: routeConfigs.map((route_config) => ({ route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', ...route_config }, last_updated })),
      },
    ],
  }
}

/** The bootstrap as it was written: the static resources, and dynamic_resources naming the files. */
function withDynamicResources(bootstrap: Obj, dynamic: M.DynamicResources, fromLds: Set<string>, fromCds: Set<string>): Obj {
  const resources = bootstrap.static_resources as { listeners: Obj[]; clusters: Obj[] }
  const source = (path: string) => ({ path_config_source: { path } })
  return {
    ...bootstrap,
    static_resources: { listeners: resources.listeners.filter((l) => !fromLds.has(l.name)), clusters: resources.clusters.filter((c) => !fromCds.has(c.name)) },
    dynamic_resources: { ...(dynamic.lds && { lds_config: source(dynamic.lds.path) }), ...(dynamic.cds && { cds_config: source(dynamic.cds.path) }) },
  }
}
