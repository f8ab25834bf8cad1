// An endpoint's `weight` (Envoy's load_balancing_weight) in the compact format, the Envoy front
// end and the way back: read, checked with every problem at its path, and carried over.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from './config-error.ts'
import { modelToEnvoy } from './envoy/from-model.ts'
import { parseConfig } from './load-config.ts'
import { withEndpoints } from './one-cluster.fixture.ts'

const noEnv = () => undefined
const envoy = (lbEndpoints: unknown[]) =>
  JSON.stringify({
    static_resources: {
      listeners: [{
        name: 'l',
        address: { socket_address: { address: '0.0.0.0', port_value: 8000 } },
        filter_chains: [{
          filters: [{
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: 'l',
              route_config: { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] }] },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
            },
          }],
        }],
      }],
      clusters: [{ name: 'c', type: 'STRICT_DNS', load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: lbEndpoints }] } }],
    },
  })
const lbEndpoint = (address: string, weight?: unknown) => ({ endpoint: { address: { socket_address: { address, port_value: 80 } } }, ...(weight !== undefined && { load_balancing_weight: weight }) })

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'test.yaml', { env: noEnv })
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('endpoint weight', () => {
  test('compact: weight is read, absent stays absent (= 1)', () => {
    const config = parseConfig(withEndpoints('[ { address: a, port: 80, weight: 3 }, { address: b, port: 80 } ]'), 't', { env: noEnv })
    expect(config.clusters[0]!.endpoints).toEqual([{ address: 'a', port: 80, weight: 3 }, { address: 'b', port: 80 }])
  })

  test('compact: 0, 1.5, a string and 2^32 are each an error at its path, all in one report', () => {
    const found = problems(withEndpoints('[ { address: a, port: 80, weight: 0 }, { address: b, port: 80, weight: 1.5 }, { address: c, port: 80, weight: "3" }, { address: d, port: 80, weight: 4294967296 } ]'))
    expect(found).toContain('clusters[0].load_assignment.endpoints[0].weight: expected weight 1-4294967295, got 0')
    expect(found).toContain('clusters[0].load_assignment.endpoints[1].weight: expected weight 1-4294967295, got 1.5')
    expect(found).toContain('clusters[0].load_assignment.endpoints[2].weight: expected weight 1-4294967295, got "3"')
    expect(found).toContain('clusters[0].load_assignment.endpoints[3].weight: expected weight 1-4294967295, got 4294967296')
  })

  test('compact: weights adding up past uint32 are refused, as Envoy refuses them', () => {
    expect(problems(withEndpoints('[ { address: a, port: 80, weight: 4294967295 }, { address: b, port: 80 } ]'))).toEqual([
      "clusters[0].load_assignment.endpoints: the endpoints' weights add up to more than 4294967295 (Envoy's limit)",
    ])
  })

  test('Envoy: lb_endpoints[].load_balancing_weight (plain or wrapped) is the endpoint weight', () => {
    const config = parseConfig(envoy([lbEndpoint('a', 3), lbEndpoint('b', { value: 1 }), lbEndpoint('c')]), 't', { env: noEnv })
    expect(config.clusters[0]!.endpoints).toEqual([{ address: 'a', port: 80, weight: 3 }, { address: 'b', port: 80, weight: 1 }, { address: 'c', port: 80 }])
  })

  test('Envoy: a weight of 0 is an error at the lb_endpoint', () => {
    expect(problems(envoy([lbEndpoint('a', 0)]))).toContain('static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight: expected weight 1-4294967295, got 0')
  })

  test('back to Envoy (convert, config_dump): a weight other than 1 becomes load_balancing_weight, and loads back the same', () => {
    const config = parseConfig(withEndpoints('[ { address: a, port: 80, weight: 3 }, { address: b, port: 80, weight: 1 } ]'), 't', { env: noEnv })
    const { bootstrap } = modelToEnvoy(config) as unknown as { bootstrap: { static_resources: { clusters: { load_assignment: { endpoints: { lb_endpoints: Record<string, unknown>[] }[] } }[] } } }
    const lb = bootstrap.static_resources.clusters[0]!.load_assignment.endpoints[0]!.lb_endpoints
    expect(lb[0]!.load_balancing_weight).toBe(3)
    expect(lb[1]!.load_balancing_weight).toBeUndefined()
    expect(parseConfig(JSON.stringify(bootstrap), 't.json', { env: noEnv }).clusters[0]!.endpoints).toEqual([{ address: 'a', port: 80, weight: 3 }, { address: 'b', port: 80 }])
  })
})

describe('least_request_lb_config.active_request_bias', () => {
  const withLr = (block: string) => withEndpoints('[ { address: a, port: 80 } ]').replace('    type: strict_dns\n', `    type: strict_dns\n    lb_policy: least_request\n    least_request_lb_config: ${block}\n`)

  test('compact: read when set, absent otherwise; a negative bias is an error at its path', () => {
    expect(parseConfig(withLr('{ active_request_bias: 0.5 }'), 't', { env: noEnv }).clusters[0]!.activeRequestBias).toBe(0.5)
    expect(parseConfig(withLr('{}'), 't', { env: noEnv }).clusters[0]!.activeRequestBias).toBeUndefined()
    expect(problems(withLr('{ active_request_bias: -1 }'))).toEqual(['clusters[0].least_request_lb_config.active_request_bias: expected a number of at least 0, got -1'])
  })

  test('Envoy: the RuntimeDouble\'s default_value is the bias; choice_count is refused', () => {
    const bootstrap = JSON.parse(envoy([lbEndpoint('a')]))
    const cluster = bootstrap.static_resources.clusters[0]
    cluster.lb_policy = 'LEAST_REQUEST'
    cluster.least_request_lb_config = { active_request_bias: { default_value: 2, runtime_key: 'lb.bias' } }
    expect(parseConfig(JSON.stringify(bootstrap), 't.json', { env: noEnv }).clusters[0]!.activeRequestBias).toBe(2)
    cluster.least_request_lb_config = { choice_count: 3, active_request_bias: { default_value: -1 } }
    const found = problems(JSON.stringify(bootstrap))
    expect(found).toContain('static_resources.clusters[0].least_request_lb_config.choice_count: not supported by edgeway')
    expect(found).toContain('static_resources.clusters[0].least_request_lb_config.active_request_bias.default_value: expected a number of at least 0, got -1')
  })
})
