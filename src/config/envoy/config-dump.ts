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
  return {
    configs: [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap, last_updated },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        version_info: versionInfo,
        static_clusters: resources.clusters.map((cluster) => ({ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', ...cluster }, last_updated })),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        version_info: versionInfo,
        static_listeners: resources.listeners.map((listener) => ({ listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', ...listener }, last_updated })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        static_route_configs: routeConfigs.map((route_config) => ({ route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', ...route_config }, last_updated })),
      },
    ],
  }
}
