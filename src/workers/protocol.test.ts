import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { parseConfig } from '../config/load-config.ts'
import { readWorkerEnv, workerEnv } from './protocol.ts'

test("a worker's env carries the primary's config through JSON unchanged (the model must stay plain data)", () => {
  for (const file of ['routes/front-proxy.yaml', 'routes/sidecar.yaml']) {
    const env: Record<string, string> = { SERVICE_NAME: '1', DNS_RESOLVER: '127.0.0.1:8053' }
    const config = parseConfig(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), new URL(`../../${file}`, import.meta.url).pathname, { env: (name) => env[name] })
    const passed = workerEnv({ index: 1, controlUrl: 'http://127.0.0.1:1/', token: 't', ports: { ingress_http: 8000 }, config })
    const worker = readWorkerEnv((name) => passed[name])
    expect(worker?.config).toEqual(config)
    expect(worker?.ports).toEqual({ ingress_http: 8000 })
  }
})

test('without the config variable a worker reads its own file', () => {
  const passed = workerEnv({ index: 0, controlUrl: 'http://127.0.0.1:1/', token: 't', ports: {} })
  expect(readWorkerEnv((name) => passed[name])?.config).toBeUndefined()
})
