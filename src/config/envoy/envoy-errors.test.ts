// What the Envoy front end says about what edgeway does not do: each unsupported field, filter or
// @type is an error at the user's own path; each no-effect field one warning; all listed at once.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../config-error.ts'
import { loadConfig } from '../load-config.ts'

type Doc = Record<string, any>

/** A minimal v3 bootstrap; `edit` changes a fresh copy. */
function bootstrap(edit: (doc: Doc, hcm: Doc, cluster: Doc) => void = () => {}): string {
  const hcm: Doc = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress_http',
    route_config: { name: 'local', virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'service1' } }] }] },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  }
  const cluster: Doc = {
    name: 'service1',
    type: 'STRICT_DNS',
    load_assignment: { cluster_name: 'service1', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'service1', port_value: 8000 } } } }] }] },
  }
  const doc: Doc = {
    static_resources: {
      listeners: [{ name: 'main', address: { socket_address: { address: '0.0.0.0', port_value: 8080 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters: [cluster],
    },
  }
  edit(doc, hcm, cluster)
  return JSON.stringify(doc)
}

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config'
const CLUSTER = 'static_resources.clusters[0]'

function problems(text: string): string[] {
  try {
    loadConfig(text, 'envoy.json', { env: () => undefined })
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

const warnings = (text: string) => loadConfig(text, 'envoy.json', { env: () => undefined }).warnings.map((w) => `${w.path}: ${w.message}`)

describe('rejected by name, at the user path', () => {
  const cases: [string, (doc: Doc, hcm: Doc, cluster: Doc) => void, string][] = [
    ['an HTTP filter edgeway lacks', (_d, hcm) => hcm.http_filters.unshift({ name: 'envoy.filters.http.lua', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua' } }), `${HCM}.http_filters[0].typed_config.@type: HTTP filter "envoy.extensions.filters.http.lua.v3.Lua" is not supported by edgeway`],
    ['a filter named without @type', (_d, hcm) => hcm.http_filters.unshift({ name: 'envoy.filters.http.ext_authz' }), `${HCM}.http_filters[0].name: HTTP filter "envoy.filters.http.ext_authz" is not supported by edgeway`],
    ['a network filter other than the HCM', (d) => d.static_resources.listeners[0].filter_chains[0].filters.push({ name: 'envoy.filters.network.rbac', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC' } }), 'static_resources.listeners[0].filter_chains[0].filters[1].typed_config.@type: network filter "envoy.extensions.filters.network.rbac.v3.RBAC" is not supported by edgeway'],
    ['an unknown @type for the HCM', (_d, hcm) => (hcm['@type'] = 'type.googleapis.com/envoy.config.filter.network.tcp_proxy.v2.TcpProxy'), `${HCM}.@type: network filter "envoy.config.filter.network.tcp_proxy.v2.TcpProxy" is not supported by edgeway`],
    ['a behaviour-changing HCM field', (_d, hcm) => (hcm.stream_idle_timeout = '300s'), `${HCM}.stream_idle_timeout: not supported by edgeway`],
    ['rds instead of route_config', (_d, hcm) => { delete hcm.route_config; hcm.rds = { route_config_name: 'x' } }, `${HCM}.rds: not supported by edgeway`],
    ['a route action field', (_d, hcm) => (hcm.route_config.virtual_hosts[0].routes[0].route.cluster_header = 'x-cluster'), `${HCM}.route_config.virtual_hosts[0].routes[0].route.cluster_header: not supported by edgeway`],
    ['a cookie hash policy that would set the cookie', (_d, hcm) => (hcm.route_config.virtual_hosts[0].routes[0].route.hash_policy = [{ cookie: { name: 's', ttl: '60s' } }]), `${HCM}.route_config.virtual_hosts[0].routes[0].route.hash_policy[0].cookie.ttl: not supported by edgeway`],
    ['a redirect route', (_d, hcm) => (hcm.route_config.virtual_hosts[0].routes[0] = { match: { prefix: '/' }, redirect: { https_redirect: true } }), `${HCM}.route_config.virtual_hosts[0].routes[0].redirect: not supported by edgeway`],
    ['an EDS cluster', (_d, _h, cluster) => (cluster.type = 'EDS'), `${CLUSTER}.type: EDS is not supported by edgeway`],
    ['a balancer edgeway lacks', (_d, _h, cluster) => (cluster.lb_policy = 'CLUSTER_PROVIDED'), `${CLUSTER}.lb_policy: CLUSTER_PROVIDED is not supported by edgeway`],
    ['dynamic resources from a management server', (d) => (d.dynamic_resources = { ads_config: { api_type: 'GRPC' }, cds_config: { ads: {} } }), 'dynamic_resources.ads_config: not supported by edgeway'],
    ['a dynamic resource file that is not there', (d) => (d.dynamic_resources = { lds_config: { path: '/nonexistent/lds.yaml' } }), 'dynamic_resources.lds_config.path: cannot read "/nonexistent/lds.yaml": no such file'],
    ['a CONNECT upgrade', (_d, hcm) => (hcm.upgrade_configs = [{ upgrade_type: 'CONNECT' }]), `${HCM}.upgrade_configs[0].upgrade_type: "CONNECT" upgrades are not supported by edgeway (only websocket)`],
    ['upgrade filters', (_d, hcm) => (hcm.upgrade_configs = [{ upgrade_type: 'websocket', filters: [] }]), `${HCM}.upgrade_configs[0].filters: not supported by edgeway`],
    ['a second filter chain', (d) => d.static_resources.listeners[0].filter_chains.push({ filters: [] }), 'static_resources.listeners[0].filter_chains[1]: more than one filter chain per listener is not supported by edgeway'],
    ['a command operator edgeway cannot fill', (_d, hcm) => (hcm.route_config.response_headers_to_add = [{ header: { key: 'x-up', value: '%UPSTREAM_LOCAL_ADDRESS%' } }]), `${HCM}.route_config.response_headers_to_add[0].header.value: the command operator %UPSTREAM_LOCAL_ADDRESS% is not supported by edgeway`],
    ['an access log file in a folder that is not there', (_d, hcm) => (hcm.access_log = [{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: '/nonexistent/envoy.log' } }]), `${HCM}.access_log[0].typed_config.path: cannot write the access log "/nonexistent/envoy.log": no folder /nonexistent`],
    ['a misspelt field', (_d, _h, cluster) => (cluster.conect_timeout = '1s'), `${CLUSTER}.conect_timeout: unknown field of Cluster (typo?), or not supported by edgeway`],
  ]
  for (const [what, edit, expected] of cases) test(what, () => expect(problems(bootstrap(edit))).toContain(expected))
})

describe('problems the compact checks find are reported at the Envoy path', () => {
  test('a bad port, an unknown cluster, a bad duration and a bad regex, all together', () => {
    const found = problems(
      bootstrap((_d, hcm, cluster) => {
        cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value = '80a'
        cluster.connect_timeout = 'soon'
        const routes = hcm.route_config.virtual_hosts[0].routes
        routes.push({ match: { prefix: '/2' }, route: { cluster: 'service2' } })
        routes.push({ match: { safe_regex: { google_re2: {}, regex: '(' } }, route: { cluster: 'service1' } })
      }),
    )
    expect(found).toContain(`${CLUSTER}.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: expected integer 1-65535, got "80a"`)
    expect(found).toContain(`${CLUSTER}.connect_timeout: expected a duration like "0.25s", "250ms" or "15s", got "soon"`)
    expect(found.length).toBeGreaterThanOrEqual(2)
  })

  test('endpoint weights of 0 and 1.5 are each reported at their lb_endpoint', () => {
    const found = problems(
      bootstrap((_d, _h, cluster) => {
        const lb = cluster.load_assignment.endpoints[0].lb_endpoints
        lb[0].load_balancing_weight = 0
        lb.push({ endpoint: { address: { socket_address: { address: 'service1b', port_value: 8000 } } }, load_balancing_weight: { value: 1.5 } })
      }),
    )
    expect(found).toContain(`${CLUSTER}.load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight: expected weight 1-4294967295, got 0`)
    expect(found).toContain(`${CLUSTER}.load_assignment.endpoints[0].lb_endpoints[1].load_balancing_weight: expected weight 1-4294967295, got 1.5`)
  })

  test('cross-checks after a valid schema: unknown cluster and duplicate listener ports', () => {
    const found = problems(
      bootstrap((d, hcm) => {
        hcm.route_config.virtual_hosts[0].routes[0].route.cluster = 'nope'
        d.static_resources.listeners.push({ ...d.static_resources.listeners[0], name: 'second' })
      }),
    )
    expect(found).toContain(`${HCM}.route_config.virtual_hosts[0].routes[0].route.cluster: unknown cluster "nope": known clusters are "service1"`)
    expect(found).toContain('static_resources.listeners[1].address.socket_address.port_value: 0.0.0.0:8080 is already used by listener "main"')
  })

  test('a Zipkin collector_cluster that does not exist', () => {
    const found = problems(bootstrap((_d, hcm) => (hcm.tracing = { provider: { name: 'envoy.tracers.zipkin', typed_config: { '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig', collector_cluster: 'zipkin', collector_endpoint: '/api/v2/spans' } } })))
    expect(found).toEqual([`${HCM}.tracing.provider.typed_config.collector_cluster: unknown cluster "zipkin": known clusters are "service1"`])
  })
})

describe('no effect: one warning line each, the config still loads', () => {
  test('stats_config, node metadata, a route config that validates clusters', () => {
    const found = warnings(bootstrap((d, hcm) => {
      d.stats_config = { use_all_default_tags: true }
      d.node = { id: 'a', cluster: 'front-proxy', metadata: { x: 1 } }
      hcm.route_config.validate_clusters = true
    }))
    expect(found).toEqual([
      'stats_config: has no effect in edgeway (stat names are fixed): ignored',
      'node.metadata: has no effect in edgeway: ignored',
      `${HCM}.route_config.validate_clusters: has no effect in edgeway (clusters are always checked): ignored`,
    ])
  })
})

describe('Envoy spellings', () => {
  test('wrapper values, { seconds, nanos } durations, append_action, route-config-level headers after the virtual host', () => {
    const { config } = loadConfig(
      bootstrap((_d, hcm, cluster) => {
        hcm.generate_request_id = { value: false }
        hcm.add_user_agent = { value: true }
        cluster.connect_timeout = { seconds: 1, nanos: 500_000_000 }
        const host = hcm.route_config.virtual_hosts[0]
        host.response_headers_to_add = [{ header: { key: 'x-host', value: 'v' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]
        hcm.route_config.response_headers_to_add = [{ header: { key: 'x-all', value: '%REQ(x-request-id)%' } }]
        host.routes[0].route.retry_policy = { retry_on: '5xx', num_retries: { value: 3 }, per_try_timeout: '0.5s' }
      }),
      'envoy.json',
      { env: () => undefined },
    )
    expect(config.listeners[0]!.generateRequestId).toBe(false)
    expect(config.listeners[0]!.addUserAgent).toBe(true)
    expect(config.clusters[0]!.connectTimeoutMs).toBe(1500)
    expect(config.listeners[0]!.virtualHosts[0]!.responseHeadersToAdd).toEqual([
      { key: 'x-host', value: 'v', append: false },
      { key: 'x-all', value: '%REQ(x-request-id)%', append: true },
    ])
    expect(config.listeners[0]!.virtualHosts[0]!.routes[0]!.retryPolicy).toMatchObject({ numRetries: 3, perTryTimeoutMs: 500 })
  })

  test('--config-yaml merges on top: mappings merge, lists append, values replace', () => {
    const overlay = 'static_resources: { clusters: [ { name: extra, load_assignment: { endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9 } } } } ] } ] } } ] }\nnode: { cluster: from-overlay }\n'
    const { config } = loadConfig(bootstrap(), 'envoy.json', { env: () => undefined, overlay })
    expect(config.clusters.map((c) => c.name)).toEqual(['service1', 'extra'])
    expect(config.node.cluster).toBe('from-overlay')
  })

  test('a compact file with an Envoy-shaped listener is read as Envoy, and says where it belongs', () => {
    const found = problems('listeners:\n  - address: { socket_address: { address: 0.0.0.0, port_value: 80 } }\n')
    expect(found[0]).toBe("listeners: not a top-level field of Envoy's bootstrap: did you mean static_resources.listeners? (check the indentation)")
  })
})

describe('docs', () => {
  test('docs/envoy-fields.md is current (regenerate with npm run envoy-fields)', async () => {
    const { fieldDocs } = await import('./write-field-docs.ts')
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(new URL('../../../docs/envoy-fields.md', import.meta.url), 'utf8')).toBe(fieldDocs())
  })
})
