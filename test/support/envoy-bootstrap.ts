// The smallest Envoy bootstrap that exercises one cluster: an admin on a free port and one
// listener, ingress_http, whose only route sends every path to that cluster. Tests of a cluster
// field in Envoy's format vary the cluster alone; everything else is what the sandboxes write.

/** `cluster` as it goes into static_resources.clusters (its `name` is the route's target). */
export function oneClusterBootstrap(cluster: { name: string } & Record<string, unknown>): Record<string, unknown> {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [{
        name: 'ingress_http',
        address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
        filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          stat_prefix: 'ingress_http',
          route_config: { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: cluster.name } }] }] },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
        } }] }],
      }],
      clusters: [cluster],
    },
  }
}
