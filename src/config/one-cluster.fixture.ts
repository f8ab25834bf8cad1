// Configs with one listener and one cluster `c`, in both front ends, for tests of cluster fields:
// the compact YAML with the cluster's own lines spliced in, the Envoy bootstrap with its fields
// spread onto the cluster, and the listed problems of a config that must not load.

import { ConfigError } from './config-error.ts'
import { loadConfig } from './load-config.ts'

export const options = { env: () => undefined }

/** `cluster`: the cluster's lines, indented four spaces, without its name and endpoints. */
export const compact = (cluster: string) => `
listeners:
  - name: l
    port: 8000
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]
clusters:
  - name: c
${cluster}
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 9000 } ] }
`

/** A compact config whose one strict_dns cluster `c` lists `endpoints` (a YAML flow sequence). */
export const withEndpoints = (endpoints: string) => `
listeners:
  - { name: l, port: 8000, virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ] }
clusters:
  - name: c
    type: strict_dns
    load_assignment: { endpoints: ${endpoints} }
`

export function envoy(cluster: Record<string, unknown>): string {
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress_http',
    route_config: { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] }] },
    http_filters: [{ name: 'envoy.filters.http.router' }],
  }
  return JSON.stringify({
    static_resources: {
      listeners: [{ name: 'l', address: { socket_address: { address: '127.0.0.1', port_value: 8000 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters: [{ name: 'c', type: 'STATIC', load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9000 } } } }] }] }, ...cluster }],
    },
  })
}

/** `path: message` of every problem; throws if the config loads. */
export function problems(text: string, source: string): string[] {
  try {
    loadConfig(text, source, options)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}
