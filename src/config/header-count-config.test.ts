// The request header-field limit in both front ends: compact max_request_headers_count and Envoy's
// HCM common_http_protocol_options.max_headers_count (a UInt32Value), onto the model's
// maxRequestHeadersCount (default 100, Envoy's), back out in config_dump, and refused at load when
// the runtime's own server would refuse such heads first.

import { describe, expect, test } from 'bun:test'
import { listenerToEnvoy } from './envoy/from-model.ts'
import { loadConfig } from './load-config.ts'
import { unsupportedFeatures } from '../listener/runtime-support.ts'
import { options, problems } from './one-cluster.fixture.ts'

const compact = (listener: string) => `
listeners:
  - name: l
    port: 8000
${listener}
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]
clusters:
  - name: c
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 9000 } ] }
`

function envoy(hcmFields: Record<string, unknown>): string {
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress_http',
    route_config: { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] }] },
    http_filters: [{ name: 'envoy.filters.http.router' }],
    ...hcmFields,
  }
  return JSON.stringify({
    static_resources: {
      listeners: [{ name: 'l', address: { socket_address: { address: '127.0.0.1', port_value: 8000 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters: [{ name: 'c', type: 'STATIC', load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9000 } } } }] }] } }],
    },
  })
}

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config'
const count = (text: string, source: string) => loadConfig(text, source, options).config.listeners[0]!.maxRequestHeadersCount

describe('max_request_headers_count', () => {
  test("absent: Envoy's 100, in both front ends", () => {
    expect(count(compact(''), 'c.yaml')).toBe(100)
    expect(count(envoy({}), 'e.json')).toBe(100)
    expect(count(envoy({ common_http_protocol_options: { idle_timeout: '30s' } }), 'e.json')).toBe(100)
  })

  test('compact: the listener field; Envoy: the HCM\'s common_http_protocol_options.max_headers_count, plain or wrapped', () => {
    expect(count(compact('    max_request_headers_count: 50'), 'c.yaml')).toBe(50)
    expect(count(envoy({ common_http_protocol_options: { max_headers_count: 60 } }), 'e.json')).toBe(60)
    expect(count(envoy({ common_http_protocol_options: { max_headers_count: { value: 70 }, idle_timeout: '30s' } }), 'e.json')).toBe(70)
  })

  test('read, not warned about: no "no effect" line for it', () => {
    const { warnings } = loadConfig(envoy({ common_http_protocol_options: { max_headers_count: 60 } }), 'e.json', options)
    expect(warnings).toEqual([])
  })

  test('0, a fraction or a string: an error with its path, in both front ends (Envoy: a UInt32Value of at least 1)', () => {
    expect(problems(compact('    max_request_headers_count: 0'), 'c.yaml')).toEqual(['listeners[0].max_request_headers_count: expected header fields 1-10000, got 0'])
    expect(problems(compact('    max_request_headers_count: "many"'), 'c.yaml')).toEqual(['listeners[0].max_request_headers_count: expected header fields 1-10000, got "many"'])
    expect(problems(envoy({ common_http_protocol_options: { max_headers_count: 0 } }), 'e.json')).toEqual([`${HCM}.common_http_protocol_options.max_headers_count: expected header fields 1-10000, got 0`])
    expect(problems(envoy({ common_http_protocol_options: { max_headers_count: { value: 1.5 } } }), 'e.json')).toEqual([expect.stringMatching(/common_http_protocol_options\.max_headers_count: expected header fields 1-10000, got 1\.5$/)])
  })

  test('the HCM has no max_request_headers_count field of its own: an unknown field, as in Envoy', () => {
    expect(problems(envoy({ max_request_headers_count: 50 }), 'e.json')).toEqual([`${HCM}.max_request_headers_count: unknown field of HttpConnectionManager (typo?), or not supported by edgeway`])
  })

  test('config_dump writes it back where Envoy reads it', () => {
    const listener = loadConfig(compact('    max_request_headers_count: 42'), 'c.yaml', options).config.listeners[0]!
    expect(listenerToEnvoy(listener, undefined, []).filter_chains).toMatchObject([{ filters: [{ typed_config: { common_http_protocol_options: { max_headers_count: 42 } } }] }])
  })

  test('above what the runtime\'s own server admits: refused at load, naming the field and the runtime\'s limit', () => {
    const serveSupport = { sniCertificates: true, clientCertificates: true, tlsVersionBounds: true, protocolChoice: true, http3: true, maxRequestHeaderFields: 128 }
    const runtime = { name: 'deno' as const, version: '2.9.6', serveSupport }
    expect(unsupportedFeatures(loadConfig(compact('    max_request_headers_count: 128'), 'c.yaml', options).config, runtime)).toEqual([])
    expect(unsupportedFeatures(loadConfig(compact('    max_request_headers_count: 129'), 'c.yaml', options).config, runtime)).toEqual([
      { path: 'listeners[0].max_request_headers_count', message: '129 header fields cannot be admitted on Deno 2.9.6: its server refuses a head of more than 128 field lines itself, before edgeway sees it; use at most 128' },
    ])
  })
})
