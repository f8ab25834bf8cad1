// The model written as an Envoy bootstrap loads back into the same model (what convert --to envoy
// prints and /config_dump shows), for the shipped compact configs.

import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { stringify } from 'yaml'
import { loadConfig } from '../load-config.ts'
import { modelToEnvoy } from './from-model.ts'

const ROOT = new URL('../../../', import.meta.url).pathname
const env: Record<string, string> = { SERVICE_NAME: '1', DNS_RESOLVER: '127.0.0.1:8053' }

describe('modelToEnvoy', () => {
  for (const file of ['routes/front-proxy.yaml', 'routes/sidecar.yaml']) {
    test(`${file} → Envoy → the same model`, () => {
      const compact = loadConfig(readFileSync(ROOT + file, 'utf8'), file, { env: (n) => env[n] })
      const { bootstrap, dropped } = modelToEnvoy(compact.config)
      expect(dropped).toEqual([])
      const envoy = loadConfig(stringify(bootstrap), 'converted.yaml', { env: () => undefined })
      expect(envoy.format).toBe('envoy')
      expect(envoy.warnings).toEqual([])
      // TLS is written inline (the model holds the PEM): only where /certs says it came from differs.
      const withoutSources = (c: typeof compact.config) => ({ ...c, listeners: c.listeners.map((l) => ({ ...l, tls: l.tls && { ...l.tls, certificates: l.tls.certificates.map((cert) => ({ ...cert, source: '' })) } })) })
      expect(withoutSources(envoy.config)).toEqual(withoutSources(compact.config))
    })
  }

  test('a Zipkin URL becomes a collector cluster, and what Envoy cannot say is listed', () => {
    const yaml = `
listeners:
  - { name: l, port: 8000, trust_envoy_headers: true, access_log: { format: json }, virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ] }
clusters:
  - { name: c, load_assignment: { endpoints: [ { address: 127.0.0.1, port: 80 } ] } }
tracing: { zipkin: { url: "http://127.0.0.1:9411/api/v2/spans" } }
`
    const { config } = loadConfig(yaml, 'x', { env: () => undefined })
    const { bootstrap, dropped } = modelToEnvoy(config)
    expect(dropped).toEqual(['listeners "l": trust_envoy_headers: true', 'listeners "l": access_log.format: json (written as Envoy\'s default text format)'])
    const back = loadConfig(stringify(bootstrap), 'y', { env: () => undefined }).config
    expect(back.clusters.map((c) => c.name)).toEqual(['c', 'zipkin'])
    expect(back.tracing?.zipkin.url).toBe('http://127.0.0.1:9411/api/v2/spans')
  })
})
