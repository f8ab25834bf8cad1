// routes/envoy/*.yaml are the shipped compact configs written as Envoy v3 bootstraps: under the
// same environment (the defaults, and what the local mesh sets) both read into the same model.

import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../load-config.ts'

const ROOT = new URL('../../../', import.meta.url).pathname

const ENVIRONMENTS: Record<string, Record<string, string>> = {
  defaults: { SERVICE_NAME: '1' },
  'local mesh': {
    SERVICE_NAME: '2',
    DNS_RESOLVER: '127.0.0.1:8053',
    ENVOY_DNS_RESOLVERS: '{ socket_address: { address: 127.0.0.1, port_value: 8053 } }',
    DNS_REFRESH_RATE: '1s',
    LISTEN_ADDRESS: '127.0.0.1',
    INGRESS_ADDRESS: '127.0.2.1',
    EGRESS_ADDRESS: '127.0.2.1',
    APP_ADDRESS: '127.0.2.1',
    ADMIN_ADDRESS: '127.0.2.1',
    ADMIN_PORT: '8001',
  },
}

describe('routes/envoy/ mirrors routes/', () => {
  for (const [name, env] of Object.entries(ENVIRONMENTS)) {
    for (const file of ['front-proxy.yaml', 'sidecar.yaml']) {
      test(`${file} (${name})`, () => {
        const read = (path: string) => loadConfig(readFileSync(ROOT + path, 'utf8'), path, { env: (n) => env[n] })
        const compact = read(`routes/${file}`)
        const envoy = read(`routes/envoy/${file}`)
        expect(envoy.format).toBe('envoy')
        expect(envoy.warnings).toEqual([])
        expect(envoy.config).toEqual(compact.config)
      })
    }
  }
})
