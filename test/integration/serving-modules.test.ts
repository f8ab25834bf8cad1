// The process that serves loads what serving needs: the config loader's modules (YAML, zod, the
// schemas, the Envoy front end) run in a short-lived loader process and never load here, and re2js,
// xxhash-wasm, the TLS / HTTP/2 clients load only for a config that uses them, because on Bun every
// loaded module's code stays resident for the life of the process.

import { afterAll, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../support/edgeway.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgeway-modules-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const YAML = `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    load_assignment:
      endpoints: [{ address: 127.0.0.1, port: 9 }]
`

/** Starts edgeway on `yaml`, and returns the module files it has loaded once it serves. */
async function loadedModules(name: string, yaml: string, adminPaths: readonly string[] = []): Promise<string[]> {
  const config = join(dir, `${name}.yaml`)
  const out = join(dir, `${name}.modules.json`)
  writeFileSync(config, yaml)
  const child = spawn(`${ROOT}node_modules/.bin/bun`, ['--preload', `${ROOT}test/fixtures/modules/report-loaded.ts`, `${ROOT}src/main.ts`, '-c', config, '--concurrency', '1'], {
    cwd: ROOT,
    env: { ...process.env, LOADED_MODULES_OUT: out, ZIPKIN_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    let stdout = ''
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    for (let i = 0; i < 400 && !stdout.includes(' on 127.0.0.1:'); i++) await new Promise((r) => setTimeout(r, 25))
    expect(stdout).toContain('ingress_http on 127.0.0.1:')
    const adminPort = /admin on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]
    for (const path of adminPaths) await (await fetch(`http://127.0.0.1:${adminPort}${path}`)).text()
    child.kill('SIGUSR2')
    for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 25))
    return (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((path) => path.replace(ROOT, '').replace(/^.*\/node_modules\//, 'node_modules/'))
  } finally {
    child.kill('SIGKILL')
  }
}

test('a serving edgeway has not loaded YAML, zod, the config schemas, or engines its config does not use', async () => {
  const loaded = await loadedModules('plain', YAML)
  expect(loaded).toContain('src/server.ts')
  expect(loaded.filter((path) => /^node_modules\/(zod|yaml)\/|^src\/config\/(schema|load-config|to-model|semantic-checks)\.ts$|^src\/config\/envoy\/(load-envoy|translate)\.ts$/.test(path))).toEqual([])
  // What this config does not use: re2js (no regex), xxhash-wasm (no consistent hashing), the TLS
  // and HTTP/2 upstream clients (plain clusters), the DNS resolvers (static clusters: node:dns,
  // node:net), the --concurrency primary and its worker spawn (node:child_process).
  expect(loaded.filter((path) => /^node_modules\/(re2js|xxhash-wasm)\/|^src\/adapter\/(node-tls-transport|node-http2-client|bun-tls-fetch|dns-resolvers|worker-process)\.ts$|^src\/upstream\/dns-lookup\.ts$|^src\/workers\/(primary|supervisor)\.ts$/.test(path))).toEqual([])
})

// The admin's endpoints are a map from path and method (src/admin/admin-router.ts): Hono, which
// routed them before, cost ~4 MiB of RSS there once the first /ready was answered.
test('a serving edgeway answers admin requests without loading Hono', async () => {
  const loaded = await loadedModules('admin', YAML, ['/ready', '/stats?usedonly', '/runtime', '/nope'])
  expect(loaded).toContain('src/admin/admin-router.ts')
  expect(loaded.filter((path) => path.startsWith('node_modules/hono/'))).toEqual([])
})

// The tracer needs @opentelemetry/api's enums and nothing else at run time: @opentelemetry/core and
// /resources (~5 MiB on Bun) were loaded for ExportResultCode and one Resource.
test('a tracing edgeway loads only @opentelemetry/api, not the SDK packages', async () => {
  const loaded = await loadedModules('traced', `${YAML}tracing:\n  zipkin:\n    url: http://127.0.0.1:9/api/v2/spans\n`)
  expect(loaded).toContain('tracing/setup-tracing.ts')
  expect(loaded.filter((path) => /^node_modules\/@opentelemetry\/(?!api\/)/.test(path))).toEqual([])
})
