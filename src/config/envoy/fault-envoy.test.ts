// The fault filter and layered_runtime through the Envoy front end: what it refuses, warns about
// and reads, each at the user's own path.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../config-error.ts'
import { loadConfig } from '../load-config.ts'

type Doc = Record<string, any>
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault'
const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config'
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes[0]`

function bootstrap(fault: Doc | undefined, edit: (doc: Doc, route: Doc) => void = () => {}): string {
  const route: Doc = { match: { prefix: '/' }, route: { cluster: 'app' } }
  const filters = [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }]
  if (fault) filters.unshift({ name: 'envoy.filters.http.fault', typed_config: { '@type': FAULT_TYPE, ...fault } } as never)
  const hcm = { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', stat_prefix: 'in', route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [route] }] }, http_filters: filters }
  const doc: Doc = {
    static_resources: {
      listeners: [{ name: 'main', address: { socket_address: { address: '127.0.0.1', port_value: 0 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters: [{ name: 'app', load_assignment: { endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9 } } } }] }] } }],
    },
  }
  edit(doc, route)
  return JSON.stringify(doc)
}

const load = (text: string) => loadConfig(text, 'envoy.json', { env: () => undefined })
function problems(text: string): string[] {
  try {
    load(text)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('the fault filter', () => {
  test('v2 spelling and wrapped values read like v3', () => {
    const text = bootstrap(undefined, (doc) => {
      const filters = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters
      filters.unshift({ name: 'envoy.fault', config: { delay: { type: 'fixed', fixed_delay: { seconds: 1, nanos: 500_000_000 }, percentage: { numerator: 5, denominator: 'ten_thousand' } }, max_active_faults: { value: 3 } } })
    })
    expect(load(text).config.listeners[0]!.fault).toMatchObject({ delay: { fixedDelayMs: 1500, percentage: { numerator: 5, denominator: 10_000 } }, maxActiveFaults: 3 })
  })

  test('what edgeway does not do is named, and a bad value is judged at the Envoy path', () => {
    expect(problems(bootstrap({ abort: { grpc_status: 14 }, response_rate_limit: { fixed_limit: { limit_kbps: 1 } } }))).toEqual([
      `${HCM}.http_filters[0].typed_config.response_rate_limit: not supported by edgeway`,
      `${HCM}.http_filters[0].typed_config.abort.grpc_status: not supported by edgeway`,
      `${HCM}.http_filters[0].typed_config.abort: needs exactly one of http_status, header_abort (grpc_status is not supported by edgeway)`,
    ])
    expect(problems(bootstrap({ abort: { http_status: 700, percentage: { numerator: 1, denominator: 'PER_MILLE' } } }))).toEqual([
      `${HCM}.http_filters[0].typed_config.abort.http_status: expected HTTP status 200-599, got 700`,
      `${HCM}.http_filters[0].typed_config.abort.percentage.denominator: expected one of HUNDRED | TEN_THOUSAND | MILLION, got "PER_MILLE"`,
    ])
  })

  test("a route's typed_per_filter_config: the fault filter's entry is read, another filter's refused", () => {
    const text = bootstrap({ delay: { fixed_delay: '1s' } }, (_doc, route) => {
      route.typed_per_filter_config = {
        'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { http_status: 502, percentage: { numerator: 100 } } },
      }
    })
    expect(load(text).config.listeners[0]!.virtualHosts[0]!.routes[0]!.fault).toMatchObject({ abort: { httpStatus: 502 }, delay: undefined })
    const other = bootstrap({ delay: { fixed_delay: '1s' } }, (_doc, route) => {
      route.typed_per_filter_config = { 'envoy.filters.http.cors': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy' } }
    })
    expect(problems(other)).toEqual([`${ROUTE}.typed_per_filter_config.envoy.filters.http.cors.@type: per-route config of HTTP filter "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy" is not supported by edgeway`])
  })

  test("a virtual host's typed_per_filter_config: read into the host's fault, which its routes without their own take", () => {
    const text = bootstrap({ delay: { fixed_delay: '1s' } }, (doc) => {
      const host = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
      host.typed_per_filter_config = { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { http_status: 7 } } }
    })
    expect(problems(text)).toEqual([`${HCM}.route_config.virtual_hosts[0].typed_per_filter_config.envoy.filters.http.fault.abort.http_status: expected HTTP status 200-599, got 7`])
    const good = bootstrap({ delay: { fixed_delay: '1s' } }, (doc) => {
      const host = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
      host.typed_per_filter_config = { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { http_status: 502, percentage: { numerator: 100 } } } }
    })
    expect(load(good).config.listeners[0]!.virtualHosts[0]!.fault).toMatchObject({ abort: { httpStatus: 502 }, delay: undefined })
  })

  test('a virtual host fault without the filter has no effect either: one warning', () => {
    const text = bootstrap(undefined, (doc) => {
      const host = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
      host.typed_per_filter_config = { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { http_status: 502 } } }
    })
    const loaded = load(text)
    expect(loaded.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([`${HCM}.route_config.virtual_hosts[0].typed_per_filter_config.envoy.filters.http.fault: has no effect: this http_connection_manager has no envoy.filters.http.fault`])
    expect(loaded.config.listeners[0]!.virtualHosts[0]!.fault).toBeUndefined()
  })

  test('a route fault without the filter in http_filters has no effect (as Envoy): one warning', () => {
    const text = bootstrap(undefined, (_doc, route) => {
      route.typed_per_filter_config = { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, abort: { http_status: 502 } } }
    })
    const loaded = load(text)
    expect(loaded.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([`${ROUTE}.typed_per_filter_config.envoy.filters.http.fault: has no effect: this http_connection_manager has no envoy.filters.http.fault`])
    expect(loaded.config.listeners[0]!.virtualHosts[0]!.routes[0]!.fault).toBeUndefined()
  })
})

describe('layered_runtime', () => {
  test('static, disk and admin layers; rtds refused; static keys edgeway never reads warned about', () => {
    const layers = [
      { name: 'static', static_layer: { fault: { http: { abort: { abort_percent: 10 } } }, tracing: { random_sampling: 5000 }, demo: { key: 1 }, health_check: { min_interval: 5 } } },
      { name: 'disk', disk_layer: { symlink_root: '/srv/runtime/current', subdirectory: 'envoy', append_service_cluster: true } },
      { name: 'admin', admin_layer: {} },
    ]
    const text = bootstrap({ abort: { http_status: 503 }, abort_percent_runtime: 'demo.key' }, (doc) => (doc.layered_runtime = { layers }))
    const loaded = load(text)
    expect(loaded.warnings.map((w) => w.path)).toEqual(['layered_runtime.layers[0].static_layer.health_check.min_interval'])
    expect(loaded.config.runtime.layers).toEqual([
      { name: 'static', kind: 'static', values: { 'fault.http.abort.abort_percent': '10', 'tracing.random_sampling': '5000', 'demo.key': '1', 'health_check.min_interval': '5' } },
      { name: 'disk', kind: 'disk', symlinkRoot: '/srv/runtime/current', subdirectory: 'envoy', appendServiceCluster: true },
      { name: 'admin', kind: 'admin' },
    ])
    const rtds = bootstrap(undefined, (doc) => (doc.layered_runtime = { layers: [{ name: 'r', rtds_layer: { name: 'r' } }] }))
    expect(problems(rtds)).toEqual(['layered_runtime.layers[0].rtds_layer: not supported by edgeway', 'layered_runtime.layers[0]: needs exactly one of static_layer, disk_layer, admin_layer'])
  })
})

describe('written back as Envoy (convert --to envoy, /config_dump)', () => {
  test('fault blocks on the listener and a route, and every runtime layer, load back into the same model', async () => {
    const { modelToEnvoy } = await import('./from-model.ts')
    const { stringify } = await import('yaml')
    const compact = load(`
layered_runtime:
  layers:
    - { name: s, static_layer: { fault: { http: { abort: { abort_percent: 5 } } }, tracing: { random_sampling: { numerator: 3, denominator: MILLION } } } }
    - { name: d, disk_layer: { symlink_root: /srv/runtime/current, subdirectory: envoy } }
    - { name: a, admin_layer: {} }
listeners:
  - name: l
    port: 8000
    fault:
      abort: { http_status: 503, percentage: { numerator: 5, denominator: TEN_THOUSAND } }
      delay: { header_delay: {}, percentage: { numerator: 100 } }
      headers: [{ name: x-chaos, exact_match: "on" }]
      max_active_faults: 10
      delay_duration_runtime: demo.delay_ms
    virtual_hosts:
      - name: v
        domains: ["*"]
        fault: { abort: { http_status: 502, percentage: { numerator: 1 } }, disable_downstream_cluster_stats: true }
        routes:
          - match: { prefix: /calm }
            route: { cluster: c }
            fault: { upstream_cluster: c, abort: { header_abort: {} } }
          - match: { prefix: / }
            route: { cluster: c }
clusters:
  - { name: c, load_assignment: { endpoints: [ { address: 127.0.0.1, port: 80 } ] } }
`)
    const { bootstrap, dropped } = modelToEnvoy(compact.config)
    expect(dropped).toEqual([])
    const envoy = load(stringify(bootstrap))
    expect(envoy.format).toBe('envoy')
    expect(envoy.warnings).toEqual([])
    expect(envoy.config).toEqual(compact.config)
  })
})
