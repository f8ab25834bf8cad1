import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { ConfigError } from './config-error.ts'
import { parseConfig } from './load-config.ts'
import { configJsonSchema } from './write-schema.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const noEnv = () => undefined

function problems(yaml: string, env: (name: string) => string | undefined = noEnv): string[] {
  try {
    parseConfig(yaml, 'test.yaml', { env })
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

const minimal = (cluster = 'c', extra = '') => `
listeners:
  - name: l
    port: 8000
    virtual_hosts:
      - name: v
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: ${cluster}${extra} }
clusters:
  - name: c
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 80 } ] }
`

describe('parseConfig', () => {
  test('fills Envoy defaults and converts durations to milliseconds', () => {
    const config = parseConfig(minimal('c', ', timeout: 0.25s'), 't', { env: noEnv })
    const listener = config.listeners[0]!
    expect(listener.address).toBe('0.0.0.0')
    expect(listener.statPrefix).toBe('l')
    expect(listener.maxRequestHeadersBytes).toBe(60 * 1024)
    expect(listener.virtualHosts[0]!.routes[0]!.timeoutMs).toBe(250)
    expect(config.clusters[0]!.connectTimeoutMs).toBe(5000)
    expect(config.clusters[0]!.dnsRefreshRateMs).toBe(5000)
    expect(Object.isFrozen(config.clusters[0])).toBe(true)
  })

  test('lists every schema problem with its path', () => {
    const found = problems(`
listeners:
  - name: l
    port: 80a
    colour: blue
    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c, timeout: soon } } ] } ]
clusters:
  - name: c
    lb_policy: magnetic
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: "80a" } ] }
`)
    expect(found).toContain('listeners[0].port: expected integer 0-65535, got "80a"')
    expect(found).toContain('listeners[0].colour: unknown key (typo?)')
    expect(found).toContain('listeners[0].virtual_hosts[0].routes[0].route.timeout: expected a duration like "0.25s", "250ms" or "15s", got "soon"')
    expect(found).toContain('clusters[0].lb_policy: expected one of round_robin | least_request | random | ring_hash | maglev, got "magnetic"')
    expect(found).toContain('clusters[0].load_assignment.endpoints[0].port: expected integer 1-65535, got "80a"')
  })

  test('checks references between sections', () => {
    expect(problems(minimal('paymnets'))).toEqual([
      'listeners[0].virtual_hosts[0].routes[0].route.cluster: unknown cluster "paymnets": known clusters are "c"',
    ])
  })

  test('expands ${VAR} and ${VAR:-default}, and names an unset variable without default', () => {
    const yaml = minimal().replace('port: 8000', 'port: ${PORT:-9000}').replace('port: 80 }', 'port: ${UP_PORT} }')
    const config = parseConfig(yaml, 't', { env: (n) => (n === 'UP_PORT' ? '8081' : undefined) })
    expect(config.listeners[0]!.port).toBe(9000)
    expect(config.clusters[0]!.endpoints[0]!.port).toBe(8081)
    expect(problems(yaml)).toEqual([expect.stringMatching(/^line \d+: environment variable "UP_PORT" is not set/)])
  })

  test('YAML syntax errors carry a line', () => {
    expect(problems('listeners: [\n  - name: x\n')[0]).toMatch(/^line \d+:\d+: /)
  })

  test('the shipped route files are valid', () => {
    for (const file of ['routes/front-proxy.yaml', 'routes/sidecar.yaml'])
      expect(() => parseConfig(readFileSync(`${ROOT}${file}`, 'utf8'), file, { env: (n) => (n === 'SERVICE_NAME' ? '1' : undefined) })).not.toThrow()
  })

  test('routes/schema.json is current (regenerate with npm run schema)', () => {
    expect(readFileSync(`${ROOT}routes/schema.json`, 'utf8')).toBe(configJsonSchema())
  })
})

describe('tracing options', () => {
  const withTracing = (listenerTracing: string, zipkin = '') => `
listeners:
  - name: l
    port: 8000
    tracing: ${listenerTracing}
    virtual_hosts:
      - name: v
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: c }
clusters:
  - name: c
    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 80 } ] }
tracing: { zipkin: { url: "http://127.0.0.1:9411/api/v2/spans"${zipkin} } }
`

  test('custom_tags of each kind, shared_span_context and b3_headers reach the model', () => {
    const config = parseConfig(
      withTracing(
        '{ custom_tags: [ { tag: a, literal: { value: x } }, { tag: b, environment: { name: B } }, { tag: c, request_header: { name: X-Tenant, default_value: none } } ] }',
        ', shared_span_context: true, b3_headers: SINGLE',
      ),
      't',
      { env: noEnv },
    )
    expect(config.listeners[0]!.tracing.customTags).toEqual([
      { tag: 'a', kind: 'literal', value: 'x' },
      { tag: 'b', kind: 'environment', name: 'B', defaultValue: undefined },
      { tag: 'c', kind: 'request_header', name: 'x-tenant', defaultValue: 'none' },
    ])
    expect(config.tracing!.zipkin).toMatchObject({ sharedSpanContext: true, b3Headers: 'single' })
    const defaults = parseConfig(withTracing('{}'), 't', { env: noEnv })
    expect(defaults.listeners[0]!.tracing.customTags).toEqual([])
    expect(defaults.tracing!.zipkin).toMatchObject({ sharedSpanContext: false, b3Headers: 'multi' })
  })

  test('a custom tag without exactly one source, or a bad b3_headers, is an error with its path', () => {
    const found = problems(withTracing('{ custom_tags: [ { tag: a }, { tag: b, literal: { value: x }, environment: { name: B } } ] }', ', b3_headers: sometimes'))
    const oneOf = 'expected { tag, literal: { value } }, { tag, environment: { name, default_value? } } or { tag, request_header: { name, default_value? } }'
    expect(found).toEqual([
      `listeners[0].tracing.custom_tags[0]: ${oneOf}`,
      `listeners[0].tracing.custom_tags[1]: ${oneOf}`,
      'tracing.zipkin.b3_headers: expected one of multi | single | both, got "sometimes"',
    ])
  })
})
