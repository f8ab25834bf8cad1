// The package as npm ships it: `npm pack`, then `npm install -g` of the tarball into a temporary
// prefix (dependencies from the registry, as a user gets them), and the installed `edgeway`
// validates a config through npm's bin symlink — no checkout, no devDependencies beside it.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dir, '..', '..')
let dir: string
let tarball: string
let edgeway: string

function run(command: string, args: string[], cwd = dir) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 240_000 })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgeway-pack-'))
  const packed = run('npm', ['pack', '--silent', '--pack-destination', dir], root)
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`)
  tarball = join(dir, readdirSync(dir).find((name) => name.endsWith('.tgz'))!)
  const installed = run('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), '--no-audit', '--no-fund', tarball])
  if (installed.status !== 0) throw new Error(`npm install -g of the tarball failed: ${installed.stderr}`)
  edgeway = join(dir, 'prefix', 'bin', 'edgeway')
}, 300_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the packed tarball, installed globally', () => {
  test('ships the sources, configs and notices but not the tests', () => {
    const listing = run('tar', ['tzf', tarball]).stdout.split('\n')
    // dist/: the bundle bin/edgeway runs on Bun (npm pack runs `prepare`, which builds it)
    for (const file of ['package/bin/edgeway', 'package/dist/main.js', 'package/dist/loader-process-main.js', 'package/src/main.ts', 'package/tracing/index.ts', 'package/routes/front-proxy.yaml', 'package/LICENSE', 'package/README.md'])
      expect(listing).toContain(file)
    expect(listing.filter((file) => file.includes('.test.'))).toEqual([])
    expect(listing.filter((file) => file.startsWith('package/test/'))).toEqual([])
  })

  test('edgeway --mode validate accepts the shipped front proxy config', () => {
    const result = run(edgeway, ['--mode', 'validate', '-c', join(dir, 'prefix', 'lib', 'node_modules', 'edgeway', 'routes', 'front-proxy.yaml')])
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('OK')
    expect(result.status).toBe(0)
  })

  test('edgeway --mode validate names each problem of a broken config and exits 1', () => {
    const broken = join(dir, 'broken.yaml')
    writeFileSync(broken, 'listeners:\n  - name: l\n    port: 80000\n    virtual_hosts: []\nclusters: []\n')
    const result = run(edgeway, ['--mode', 'validate', '-c', broken])
    expect(result.status).toBe(1)
    expect(`${result.stdout}${result.stderr}`).toContain('listeners[0].port')
    expect(result.stderr).not.toContain('    at ')
  })
})
