// Envoy's log_format (v3) and the v2 file logger's format / json_format become the listener's
// access-log format; their operators are checked at load, each problem at the user's own path.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from '../config-error.ts'
import { loadConfig } from '../load-config.ts'

type Doc = Record<string, any>

const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog'
const FILE_V2 = 'type.googleapis.com/envoy.config.accesslog.v2.FileAccessLog'
const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config'

function bootstrap(accessLog: Doc): string {
  const hcm: Doc = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress_http',
    access_log: [accessLog],
    route_config: { name: 'local', virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'service1' } }] }] },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  }
  return JSON.stringify({
    static_resources: {
      listeners: [{ name: 'main', address: { socket_address: { address: '0.0.0.0', port_value: 8080 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
      clusters: [{ name: 'service1', load_assignment: { endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8000 } } } }] }] } }],
    },
  })
}

const load = (text: string) => loadConfig(text, 'envoy.json', { env: () => undefined })

function problems(text: string): string[] {
  try {
    load(text)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  return []
}

describe('log_format', () => {
  test('text_format_source.inline_string, text_format and the v2 format string', () => {
    for (const body of [{ log_format: { text_format_source: { inline_string: '%RESPONSE_CODE% %REQ(:PATH)%\n' } } }, { log_format: { text_format: '%RESPONSE_CODE% %REQ(:PATH)%\n' } }]) {
      const log = load(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, ...body } })).config.listeners[0]!.accessLog
      expect(log).toEqual({ enabled: true, format: 'text', textFormat: '%RESPONSE_CODE% %REQ(:PATH)%\n', omitEmptyValues: false })
    }
    const v2 = load(bootstrap({ name: 'envoy.file_access_log', config: { path: '/dev/stdout', format: '%DURATION%\n' } })).config.listeners[0]!.accessLog
    expect(v2.textFormat).toBe('%DURATION%\n')
  })

  test('json_format with omit_empty_values, and the v2 file logger json_format', () => {
    const json = { status: '%RESPONSE_CODE%', path: '%REQ(:PATH)%' }
    const v3 = load(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { json_format: json, omit_empty_values: true } } })).config.listeners[0]!.accessLog
    expect(v3).toEqual({ enabled: true, format: 'json', jsonFormat: json, omitEmptyValues: true })
    const v2 = load(bootstrap({ name: 'envoy.file_access_log', typed_config: { '@type': FILE_V2, path: '/dev/stdout', json_format: json } })).config.listeners[0]!.accessLog
    expect(v2.jsonFormat).toEqual(json)
  })

  test('unknown operators are named at the Envoy path of the format', () => {
    expect(problems(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { text_format_source: { inline_string: '%RESPONSE_CODE% %BOGUS%\n' } } } }))).toEqual([
      `${HCM}.access_log[0].typed_config.log_format.text_format_source.inline_string: %BOGUS% is not a command operator edgeway knows (typo?, or not supported by edgeway)`,
    ])
    expect(problems(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { json_format: { up: { local: '%UPSTREAM_LOCAL_ADDRESS%' } } } } }))).toEqual([
      `${HCM}.access_log[0].typed_config.log_format.json_format.up.local: %UPSTREAM_LOCAL_ADDRESS% is not supported by edgeway (the runtimes do not tell the local address of an upstream connection)`,
    ])
    expect(problems(bootstrap({ name: 'envoy.file_access_log', config: { path: '/dev/stdout', format: '%NOPE%' } }))).toEqual([
      `${HCM}.access_log[0].config.format: %NOPE% is not a command operator edgeway knows (typo?, or not supported by edgeway)`,
    ])
  })

  test('formatters and a format file are not supported; two formats at once are an error', () => {
    expect(problems(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { text_format: 'x', formatters: [] } } }))).toEqual([`${HCM}.access_log[0].typed_config.log_format.formatters: not supported by edgeway`])
    expect(problems(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { text_format_source: { filename: '/etc/f' } } } }))).toEqual([`${HCM}.access_log[0].typed_config.log_format.text_format_source.filename: not supported by edgeway`])
    expect(problems(bootstrap({ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: { text_format: 'x', json_format: {} } } }))).toEqual([`${HCM}.access_log[0].typed_config.log_format: give one of text_format, json_format, not several`])
  })
})

describe('compact access_log', () => {
  const compact = (log: string) => `listeners:\n  - name: l\n    port: 8000\n    access_log: ${log}\n    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]\nclusters: [ { name: c, load_assignment: { endpoints: [ { address: 127.0.0.1, port: 9 } ] } } ]\n`
  test('text_format and json_format (which implies format: json)', () => {
    expect(load(compact('{ text_format: "%RESPONSE_CODE%" }')).config.listeners[0]!.accessLog).toEqual({ enabled: true, format: 'text', textFormat: '%RESPONSE_CODE%', omitEmptyValues: false })
    expect(load(compact('{ json_format: { code: "%RESPONSE_CODE%" } }')).config.listeners[0]!.accessLog.format).toBe('json')
  })
  test('problems with their paths', () => {
    expect(problems(compact('{ text_format: "%NOPE%" }'))).toEqual(['listeners[0].access_log.text_format: %NOPE% is not a command operator edgeway knows (typo?, or not supported by edgeway)'])
    expect(problems(compact('{ format: json, text_format: "%DURATION%" }'))).toEqual(['listeners[0].access_log.text_format: is a text format: remove format: json or use json_format'])
  })
  test('path: a file from the config folder, written back as Envoy\'s file logger', async () => {
    const { tmpdir } = await import('node:os')
    const log = loadConfig(compact('{ path: access.log }'), `${tmpdir()}/edgeway.yaml`, { env: () => undefined }).config.listeners[0]!.accessLog
    expect(log.path).toBe(`${tmpdir()}/access.log`)
    const { listenerToEnvoy } = await import('./from-model.ts')
    const hcm = (listenerToEnvoy({ ...load(compact('{ format: text }')).config.listeners[0]!, accessLog: log }, undefined, []) as any).filter_chains[0].filters[0].typed_config
    expect(hcm.access_log).toEqual([{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: `${tmpdir()}/access.log` } }])
  })

  test('a format converts to Envoy and loads back unchanged', async () => {
    const { modelToEnvoy } = await import('./from-model.ts')
    for (const log of ['{ text_format: "%RESPONSE_CODE% %REQ(:PATH)%" }', '{ json_format: { code: "%RESPONSE_CODE%", up: { host: "%UPSTREAM_HOST%" } }, omit_empty_values: true }']) {
      const before = load(compact(log)).config.listeners[0]!.accessLog
      const { bootstrap } = modelToEnvoy(load(compact(log)).config)
      const after = load(JSON.stringify(bootstrap)).config.listeners[0]!.accessLog
      expect({ ...after, textFormat: after.textFormat?.replace(/\n$/, '') }).toEqual({ ...before, textFormat: before.textFormat })
    }
  })
})
