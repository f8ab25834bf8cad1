// The Envoy front end's cluster transport_socket (UpstreamTlsContext) and HTTP/2 protocol options:
// both spellings of HTTP/2, SNI, CA, SAN matchers (plain and typed), and the warnings that remain.

import { describe, expect, test } from 'bun:test'
import { loadConfig } from '../load-config.ts'
import { ConfigError } from '../config-error.ts'

type Doc = Record<string, any>

function load(edit: (cluster: Doc) => void, ca = '') {
  const cluster: Doc = {
    name: 'service1',
    type: 'STATIC',
    load_assignment: { cluster_name: 'service1', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8443 } } } }] }] },
  }
  edit(cluster)
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress_http',
    route_config: { virtual_hosts: [{ name: 'b', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'service1' } }] }] },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  }
  const doc = { static_resources: { listeners: [{ name: 'main', address: { socket_address: { address: '127.0.0.1', port_value: 8080 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }], clusters: [cluster] } }
  return loadConfig(JSON.stringify(doc), 'envoy.json', { env: () => undefined, readFile: () => ca })
}

const tlsSocket = (context: Doc) => ({ name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', ...context } })

describe('Envoy cluster transport_socket and HTTP/2', () => {
  test('UpstreamTlsContext: sni, trusted_ca file, both SAN matcher spellings, explicit HTTP/2', async () => {
    const { readFileSync } = await import('node:fs')
    const ca = readFileSync(new URL('../../../routes/certs/demo.crt', import.meta.url), 'utf8')
    const loaded = load((c) => {
      c.transport_socket = tlsSocket({
        sni: 'service1.example',
        common_tls_context: {
          validation_context: { trusted_ca: { filename: '/ca.pem' }, match_subject_alt_names: [{ exact: 'a.example' }], match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { suffix: '.svc' } }] },
        },
      })
      c.typed_extension_protocol_options = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions', explicit_http_config: { http2_protocol_options: {} } } }
    }, ca)
    const transport = loaded.config.clusters[0]!.transport!
    expect(transport.http2).toBe(true)
    expect(transport.tls?.serverName).toBe('service1.example')
    expect(transport.tls?.caPem).toBe(ca)
    expect(transport.tls?.subjectAltNames).toEqual([{ kind: 'exact', value: 'a.example' }, { kind: 'suffix', value: '.svc' }])
    expect(loaded.warnings).toEqual([])
  })

  test('http2_protocol_options on the cluster is h2c; the stream limit and windows are applied, other settings named as having no effect', () => {
    const loaded = load((c) => (c.http2_protocol_options = { max_concurrent_streams: 100, initial_stream_window_size: { value: 1_048_576 }, initial_connection_window_size: 4_194_304, hpack_table_size: 0 }))
    expect(loaded.config.clusters[0]!.transport).toEqual({ http2: true, http2Options: { maxConcurrentStreams: 100, initialStreamWindowSize: 1_048_576, initialConnectionWindowSize: 4_194_304 } })
    expect(loaded.warnings.map((w) => w.path)).toEqual(['static_resources.clusters[0].http2_protocol_options.hpack_table_size'])
    // Envoy's ranges, judged at the Envoy path; a typo is an error, not a silent default.
    const problems = (options: Record<string, unknown>) => {
      try {
        load((c) => (c.http2_protocol_options = options))
      } catch (error) {
        return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
      }
      return []
    }
    expect(problems({ initial_stream_window_size: 1000 })[0]).toStartWith('static_resources.clusters[0].http2_protocol_options.initial_stream_window_size: ')
    expect(problems({ max_concurrent_stream: 1 })).toEqual(['static_resources.clusters[0].http2_protocol_options.max_concurrent_stream: unknown field of Http2ProtocolOptions (typo?), or not supported by edgeway'])
  })

  test('TLS without a validation_context is one warning at the transport socket (not verified, as Envoy)', () => {
    const loaded = load((c) => (c.transport_socket = tlsSocket({ sni: 'x.example' })))
    expect(loaded.config.clusters[0]!.transport?.tls?.caPem).toBeUndefined()
    expect(loaded.warnings.map((w) => `${w.path}: ${w.message.split(':')[0]}`)).toEqual(['static_resources.clusters[0].transport_socket.typed_config: has no validation_context'])
  })

  test('a validation field edgeway lacks is an error at its Envoy path', () => {
    let issues: string[] = []
    try {
      load((c) => (c.transport_socket = tlsSocket({ common_tls_context: { validation_context: { trusted_ca: { filename: '/ca.pem' }, verify_certificate_hash: ['ab'] } } })))
    } catch (error) {
      issues = (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
    }
    expect(issues).toEqual(['static_resources.clusters[0].transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_hash: not supported by edgeway'])
  })
})

describe('config_dump / convert --to envoy', () => {
  test('a compact TLS + HTTP/2 cluster written as Envoy loads back into the same transport', async () => {
    const { modelToEnvoy } = await import('./from-model.ts')
    const { stringify } = await import('yaml')
    const ca = new URL('../../../routes/certs/demo.crt', import.meta.url).pathname
    const yaml = `
listeners:
  - { name: l, port: 8000, virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ] }
clusters:
  - name: c
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 8443 } ] }
    http2_protocol_options: { max_concurrent_streams: 8, initial_stream_window_size: 1048576, initial_connection_window_size: 2097152 }
    tls: { sni: c.example, validation_context: { trusted_ca: { filename: ${ca} }, match_subject_alt_names: [{ prefix: c. }] } }
`
    const compact = loadConfig(yaml, 'x', { env: () => undefined })
    const back = loadConfig(stringify(modelToEnvoy(compact.config).bootstrap), 'y', { env: () => undefined })
    expect(back.warnings).toEqual([])
    expect(back.config.clusters[0]!.transport).toEqual(compact.config.clusters[0]!.transport!)
  })
})
