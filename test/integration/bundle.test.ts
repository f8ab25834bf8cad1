// The built bundle (scripts/bundle.ts, what bin/edgeway and `npm start` run on Bun) serves as the
// sources do: its config loader child is the bundle's own entry (a config error is still reported
// problem by problem), and bin/edgeway falls back to the sources once any of them is newer.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBundle, freshBundle } from '../../scripts/bundle.ts'
import { HEADER_LIMIT_FLAG } from '../../src/adapter/bun-header-limit.ts'
import { ROOT } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const BUN = `${ROOT}node_modules/.bin/bun`
const dir = mkdtempSync(join(tmpdir(), 'edgeway-bundle-'))
let main: string
let upstream: Upstream
beforeAll(async () => {
  main = buildBundle(ROOT, join(dir, 'dist'), BUN)
  upstream = await startUpstream({ name: 'bundled' })
})
afterAll(async () => {
  await upstream?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const config = (port: string | number) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    load_assignment:
      endpoints: [{ address: 127.0.0.1, port: ${port} }]
`

test('the bundle loads its config through its own loader entry and forwards a request', async () => {
  const file = join(dir, 'good.yaml')
  writeFileSync(file, config(upstream.port))
  const child = spawn(BUN, [HEADER_LIMIT_FLAG, main, '-c', file, '--concurrency', '1'], { env: { ...process.env, ZIPKIN_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    let stdout = ''
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    for (let i = 0; i < 400 && !/ingress_http on 127\.0\.0\.1:\d+/.test(stdout); i++) await new Promise((r) => setTimeout(r, 25))
    const port = /ingress_http on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]
    expect(port).toBeDefined()
    const response = await fetch(`http://127.0.0.1:${port}/service/1`)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { name: string; path: string })).toMatchObject({ name: 'bundled', path: '/service/1' })
  } finally {
    child.kill('SIGKILL')
  }
})

test('a config error from the bundle lists every problem with its path, as the sources do', () => {
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, config('"nine"'))
  const result = spawnSync(BUN, [HEADER_LIMIT_FLAG, main, '-c', file], { encoding: 'utf8', env: { ...process.env, ZIPKIN_URL: '' } })
  expect(result.status).toBe(1)
  expect(result.stderr).toContain('clusters[0].load_assignment.endpoints[0].port')
  expect(result.stderr).not.toContain('the config loader failed')
})

test('a bundle is fresh until a source file or package.json is newer than it', () => {
  const repo = join(dir, 'repo')
  for (const sub of ['src/config', 'tracing', 'dist']) mkdirSync(join(repo, sub), { recursive: true })
  for (const file of ['src/config/a.ts', 'tracing/b.tsx', 'package.json', 'dist/main.js']) writeFileSync(join(repo, file), '')
  const at = (file: string, seconds: number) => utimesSync(join(repo, file), seconds, seconds)
  for (const file of ['src/config/a.ts', 'tracing/b.tsx', 'package.json']) at(file, 1_000)
  at('dist/main.js', 2_000)
  expect(freshBundle(repo)).toBe(join(repo, 'dist/main.js'))
  for (const file of ['src/config/a.ts', 'tracing/b.tsx', 'package.json']) {
    at(file, 3_000)
    expect(freshBundle(repo)).toBeUndefined()
    at(file, 1_000)
  }
})

test('bin/edgeway runs the fresh bundle, and the sources once one of them is newer', () => {
  const repo = join(dir, 'checkout')
  // Copied in this order, the bundle is newer than every source file.
  for (const sub of ['bin', 'src', 'tracing']) cpSync(join(ROOT, sub), join(repo, sub), { recursive: true })
  cpSync(join(dir, 'dist'), join(repo, 'dist'), { recursive: true })
  writeFileSync(join(repo, 'package.json'), '{}')
  const env = { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH}` }
  const which = () => spawnSync('sh', ['-x', join(repo, 'bin/edgeway'), '--version'], { encoding: 'utf8', env }).stderr.split('\n').find((line) => line.includes('exec bun'))
  const past = Date.now() / 1000 - 60
  utimesSync(join(repo, 'package.json'), past, past)
  expect(which()).toContain(join(repo, 'dist/main.js'))
  writeFileSync(join(repo, 'src/cli.ts'), '// edited\n', { flag: 'a' })
  expect(which()).toContain(join(repo, 'src/main.ts'))
})
