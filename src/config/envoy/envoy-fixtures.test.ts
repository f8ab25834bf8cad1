// Table-driven over real Envoy files: the seeds' configs as their posts print them and configs in
// the Envoy examples' documented v3 shape. Each validates unchanged, with the warnings it earns,
// and reads into the same model as its compact translation.

import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../config-error.ts'
import { loadConfig } from '../load-config.ts'
import { stringify } from 'yaml'

const FIXTURES = new URL('../../../test/fixtures/envoy/', import.meta.url).pathname
const read = (file: string) => readFileSync(FIXTURES + file, 'utf8')
const load = (file: string) => loadConfig(read(file), file, { env: () => undefined })
const lines = (issues: readonly { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`)

type Case = { file: string; listeners: string[]; clusters: string[]; warnings: string[] }

const CASES: Case[] = [
  { file: 'seeds/iximiuz-service-a-envoy.fixed.yaml', listeners: ['ingress_http:80', 'egress_http:9001'], clusters: ['local_service', 'remote_service_b'], warnings: ['admin.access_log_path'] },
  { file: 'seeds/servicemesh-front-envoy.yaml', listeners: ['ingress_http:80'], clusters: ['service1', 'service2'], warnings: ['admin.access_log_path'] },
  { file: 'seeds/servicemesh-service-envoy.yaml', listeners: ['ingress_http:80'], clusters: ['local_service'], warnings: ['admin.access_log_path'] },
  { file: 'seeds/sidecar-front-envoy.yaml', listeners: ['ingress_http:80'], clusters: ['service1', 'service2'], warnings: ['admin.access_log_path'] },
  { file: 'seeds/sidecar-service-envoy.yaml', listeners: ['ingress_http:80'], clusters: ['local_service'], warnings: ['admin.access_log_path'] },
  { file: 'seeds/dnivra-front-envoy.yaml', listeners: ['http_listener:80'], clusters: ['service_a'], warnings: ['admin.access_log_path', 'static_resources.listeners[0].filter_chains'] },
  {
    file: 'seeds/dnivra-service-a-envoy.yaml',
    listeners: ['service-a-svc-http-listener:8786', 'service-b-svc-http-listener:8788', 'service-c-svc-http-listener:8791'],
    clusters: ['service_a', 'service_b', 'service_c'],
    warnings: ['admin.access_log_path'],
  },
  { file: 'seeds/dnivra-service-b-envoy.yaml', listeners: ['service-b-svc-http-listener:8789'], clusters: ['service_b'], warnings: ['admin.access_log_path'] },
  {
    file: 'front-proxy.yaml',
    listeners: ['listener_0:8080', 'listener_1:8443'],
    clusters: ['service1', 'service2'],
    warnings: ['layered_runtime.layers[0].static_layer.envoy.resource_limits.listener.example_listener_name.connection_limit'],
  },
  { file: 'zipkin-front-envoy.yaml', listeners: ['ingress_http:8000'], clusters: ['service1', 'zipkin'], warnings: ['admin.access_log_path'] },
  { file: 'zipkin-service1-envoy.yaml', listeners: ['ingress_http:8000', 'egress_http:9000'], clusters: ['local_service', 'service2', 'zipkin'], warnings: ['admin.access_log_path'] },
  { file: 'zipkin-service2-envoy.yaml', listeners: ['ingress_http:8000'], clusters: ['local_service', 'zipkin'], warnings: ['admin.access_log_path'] },
  { file: 'fault-injection.yaml', listeners: ['ingress_http:9211'], clusters: ['local_service'], warnings: [] },
  { file: 'v2-bootstrap-zipkin.yaml', listeners: ['ingress_http:80'], clusters: ['service1', 'service2', 'zipkin'], warnings: ['admin.access_log_path', 'tracing.http.config.collector_endpoint'] },
]

describe('Envoy files validate unchanged', () => {
  for (const c of CASES) {
    test(c.file, () => {
      const loaded = load(c.file)
      expect(loaded.format).toBe('envoy')
      expect(loaded.config.listeners.map((l) => `${l.name}:${l.port}`)).toEqual(c.listeners)
      expect(loaded.config.clusters.map((cl) => cl.name)).toEqual(c.clusters)
      expect(loaded.warnings.map((w) => w.path).sort()).toEqual([...c.warnings].sort())
    })
    test(`${c.file}: its compact translation reads into the same model`, () => {
      const loaded = load(c.file)
      const again = loadConfig(stringify(loaded.compact), 'converted.yaml', { env: () => undefined })
      expect(again.format).toBe('compact')
      expect(again.config).toEqual(loaded.config)
    })
  }
})

describe('what the files mean', () => {
  test('zipkin front proxy: collector resolved through its cluster, OUTBOUND is egress, decorator and %REQ()% headers kept', () => {
    const { config } = load('zipkin-front-envoy.yaml')
    expect(config.tracing?.zipkin.url).toBe('http://zipkin:9411/api/v2/spans')
    expect(config.tracing?.zipkin.sharedSpanContext).toBe(true)
    const listener = config.listeners[0]!
    expect(listener.direction).toBe('egress')
    expect(listener.generateRequestId).toBe(true)
    expect(listener.accessLog.enabled).toBe(false)
    const host = listener.virtualHosts[0]!
    expect(host.routes[0]!.operation).toBe('checkAvailability')
    expect(host.responseHeadersToAdd).toEqual([
      { key: 'x-b3-traceid', value: '%REQ(x-b3-traceid)%', append: true },
      { key: 'x-request-id', value: '%REQ(x-request-id)%', append: true },
    ])
  })

  test('service1 sidecar (v2 @types): INBOUND is ingress, OUTBOUND egress; strict DNS with Envoy timeouts', () => {
    const { config } = load('zipkin-service1-envoy.yaml')
    expect(config.listeners.map((l) => l.direction)).toEqual(['ingress', 'egress'])
    expect(config.clusters[0]).toMatchObject({ name: 'local_service', type: 'strict_dns', connectTimeoutMs: 250, endpoints: [{ address: '127.0.0.1', port: 8080 }] })
    expect(config.admin).toEqual({ address: '0.0.0.0', port: 8001 })
  })

  test('v2 seeds: the file logger on /dev/stdout is the access log; virtual host retry policy kept', () => {
    const { config } = load('seeds/iximiuz-service-a-envoy.fixed.yaml')
    expect(config.listeners.map((l) => l.accessLog.enabled)).toEqual([true, true])
    expect(config.listeners[1]!.virtualHosts[0]!.retryPolicy).toMatchObject({ retryOn: ['5xx'], numRetries: 2 })
    expect(config.listeners[1]!.virtualHosts[0]!.domains).toEqual(['b.local.service', 'b.local.service:*'])
  })
})

describe('the fault-injection sandbox', () => {
  test('the fault filter before the router and the disk runtime layer, as the sandbox has them', () => {
    const { config } = load('fault-injection.yaml')
    expect(config.listeners[0]!.fault).toMatchObject({
      abort: { httpStatus: 503, percentage: { numerator: 0, denominator: 100 } },
      delay: { fixedDelayMs: 3000, percentage: { numerator: 0, denominator: 100 } },
      runtimeKeys: { abortPercent: 'fault.http.abort.abort_percent', delayPercent: 'fault.http.delay.fixed_delay_percent' },
    })
    expect(config.runtime.layers).toEqual([{ name: 'disk_layer_0', kind: 'disk', symlinkRoot: '/srv/runtime/current', subdirectory: 'envoy', appendServiceCluster: false }])
  })

  test('per-route typed_per_filter_config, header faults and an admin layer', () => {
    const text = read('fault-injection.yaml')
      .replace('                  cluster: local_service\n', `                  cluster: local_service
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    abort: { header_abort: {}, percentage: { numerator: 100 } }
                    max_active_faults: 5
`)
      .replace('      subdirectory: envoy\n', '      subdirectory: envoy\n  - name: admin\n    admin_layer: {}\n')
    const { config, warnings } = loadConfig(text, 'f.yaml', { env: () => undefined })
    expect(warnings).toEqual([])
    expect(config.listeners[0]!.virtualHosts[0]!.routes[0]!.fault).toMatchObject({ abort: { httpStatus: 'header', percentage: { numerator: 100, denominator: 100 } }, delay: undefined, maxActiveFaults: 5 })
    expect(config.runtime.layers.map((l) => l.kind)).toEqual(['disk', 'admin'])
  })
})

describe('the seed with an indentation slip', () => {
  test('every problem at once, each with a hint', () => {
    let error: ConfigError | undefined
    try {
      load('seeds/iximiuz-service-a-envoy.yaml')
    } catch (e) {
      error = e as ConfigError
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(lines(error!.issues)).toEqual([
      "listeners: not a top-level field of Envoy's bootstrap: did you mean static_resources.listeners? (check the indentation)",
      "clusters: not a top-level field of Envoy's bootstrap: did you mean static_resources.clusters? (check the indentation)",
      "access_log_path: not a top-level field of Envoy's bootstrap: did you mean admin.access_log_path? (check the indentation)",
      "address: not a top-level field of Envoy's bootstrap: did you mean admin.address? (check the indentation)",
      'admin: is empty (check the indentation of what follows it)',
      'static_resources: is empty: listeners and clusters belong under it',
    ])
  })
})
