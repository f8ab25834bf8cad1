// The panic threshold in both front ends: compact common_lb_config.healthy_panic_threshold (a
// percentage) and Envoy's common_lb_config.healthy_panic_threshold ({ value: N }, a Percent),
// onto the model's healthyPanicThreshold (default 50, Envoy's), and back out in config_dump.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from './config-error.ts'
import { clusterToEnvoy } from './envoy/from-model-cluster.ts'
import { loadConfig } from './load-config.ts'

const options = { env: () => undefined }

const compact = (lines: string) => `
listeners:
  - name: l
    port: 8000
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]
clusters:
  - name: c
${lines}
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 9000 } ] }
`

function envoy(cluster: Record<string, unknown>): string {
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

function problems(text: string, source: string): string[] {
  try {
    loadConfig(text, source, options)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('healthy_panic_threshold', () => {
  test("absent: Envoy's 50 %", () => {
    expect(loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(50)
    expect(loadConfig(envoy({}), 'e.json', options).config.clusters[0]!.healthyPanicThreshold).toBe(50)
  })

  test('compact: a percentage, 0 disables panic; a fraction keeps its whole part as Envoy does', () => {
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 0 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(0)
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 100 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(100)
    expect(loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 33.9 }'), 'c.yaml', options).config.clusters[0]!.healthyPanicThreshold).toBe(33)
  })

  test("Envoy: the Percent's value, beside consistent_hashing_lb_config", () => {
    const c = loadConfig(envoy({ lb_policy: 'RING_HASH', common_lb_config: { healthy_panic_threshold: { value: 25 }, consistent_hashing_lb_config: { use_hostname_for_hashing: true } } }), 'e.json', options).config.clusters[0]!
    expect(c.healthyPanicThreshold).toBe(25)
    expect(c.useHostnameForHashing).toBe(true)
  })

  test('out of 0-100 or not a number: an error with its path, in both front ends', () => {
    expect(problems(compact('    common_lb_config: { healthy_panic_threshold: 150 }'), 'c.yaml')).toEqual([expect.stringMatching(/^clusters\[0\]\.common_lb_config\.healthy_panic_threshold: /)])
    expect(problems(compact('    common_lb_config: { healthy_panic_threshold: "half" }'), 'c.yaml')).toEqual(['clusters[0].common_lb_config.healthy_panic_threshold: expected a percentage 0-100, got "half"'])
    expect(problems(envoy({ common_lb_config: { healthy_panic_threshold: { value: -1 } } }), 'e.json')).toEqual([expect.stringMatching(/^static_resources\.clusters\[0\]\.common_lb_config\.healthy_panic_threshold(\.value)?: /)])
  })

  test('config_dump writes a threshold other than the default back as a Percent', () => {
    const set = loadConfig(compact('    common_lb_config: { healthy_panic_threshold: 0 }'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(set).common_lb_config).toEqual({ healthy_panic_threshold: { value: 0 } })
    const unset = loadConfig(compact('    lb_policy: round_robin'), 'c.yaml', options).config.clusters[0]!
    expect(clusterToEnvoy(unset).common_lb_config).toBeUndefined()
  })
})
