import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runHelper } from '../adapter/helper-process.ts'
import { ConfigError } from './config-error.ts'
import { loadConfig } from './load-config.ts'
import { answer } from './loader-process-main.ts'
import { loadModel, type LoadRequest } from './loader-process.ts'

const ROOT = new URL('../../', import.meta.url).pathname
// The loader process inherits this environment: sidecar.yaml expands ${SERVICE_NAME}.
process.env.SERVICE_NAME = '1'
const env = (name: string) => process.env[name]
const request = (path: string): LoadRequest => ({ text: readFileSync(path, 'utf8'), source: path, pinned: {} })

/** Envoy's dynamic-config-fs sandbox (a bootstrap naming lds.yaml and cds.yaml) in a temp dir. */
function dynamicConfigFs(): { main: string; lds: string; cds: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edgeway-loader-fs-'))
  const fixture = join(ROOT, 'test/fixtures/envoy/dynamic-config-fs')
  for (const file of ['lds.yaml', 'cds.yaml']) writeFileSync(join(dir, file), readFileSync(join(fixture, file), 'utf8'))
  writeFileSync(join(dir, 'envoy.yaml'), readFileSync(join(fixture, 'envoy.yaml'), 'utf8').replaceAll('/var/lib/envoy', dir))
  return { main: join(dir, 'envoy.yaml'), lds: join(dir, 'lds.yaml'), cds: join(dir, 'cds.yaml') }
}

// The serving process gets the model as JSON: whatever the loader builds must survive that unchanged.
describe('the model crosses the process boundary unchanged', () => {
  for (const file of ['routes/front-proxy.yaml', 'routes/sidecar.yaml', 'routes/envoy/front-proxy.yaml', 'routes/envoy/sidecar.yaml', 'dynamic-config-fs']) {
    test(file, async () => {
      const path = file === 'dynamic-config-fs' ? dynamicConfigFs().main : join(ROOT, file)
      const inProcess = loadConfig(readFileSync(path, 'utf8'), path, { env })
      const loaded = await loadModel(request(path), { runHelper, env })
      expect(loaded.config).toEqual(inProcess.config)
      expect(JSON.parse(JSON.stringify(inProcess.config))).toEqual(inProcess.config)
      expect(loaded.format).toBe(inProcess.format)
      expect(loaded.dynamicFiles).toEqual(inProcess.dynamicFiles)
      expect(Object.isFrozen(loaded.config.listeners[0])).toBe(true)
    })
  }
})

test('every problem comes back as the ConfigError loading in this process would throw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeway-loader-'))
  const path = join(dir, 'bad.yaml')
  writeFileSync(path, 'listeners: 3\nfoo: bar\n')
  const expected = (() => {
    try {
      loadConfig(readFileSync(path, 'utf8'), path, { env })
    } catch (error) {
      return error as ConfigError
    }
  })()!
  const error = await loadModel(request(path), { runHelper, env }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as ConfigError).message).toBe(expected.message)
  expect((error as ConfigError).message).toContain('foo: unknown key')
})

test('where no process can be started the same loader runs here', async () => {
  const path = join(ROOT, 'routes/front-proxy.yaml')
  const loaded = await loadModel(request(path), { runHelper: () => undefined, env })
  expect(loaded.config).toEqual(loadConfig(readFileSync(path, 'utf8'), path, { env }).config)
})

test('a loader that dies without an answer is an error, not a config', async () => {
  const error = await loadModel(request(join(ROOT, 'routes/front-proxy.yaml')), { runHelper: () => Promise.resolve({ code: 1, stdout: '' }), env }).catch((e: unknown) => e)
  expect((error as Error).message).toBe('the config loader failed: its process exited with code 1 without an answer')
})

test('pinned files are read instead of the disk; files read from disk come back with their text', () => {
  const { main, lds, cds } = dynamicConfigFs()
  const disk = (path: string) => readFileSync(path, 'utf8')
  const fresh = answer({ text: disk(main), source: main, pinned: {} }, env)
  if (!fresh.ok) throw new Error('expected a config')
  expect(fresh.reads.map(([path]) => path).sort()).toEqual([cds, lds].sort())
  // The cds.yaml last accepted is pinned: the disk's (broken) one is neither read nor reported.
  writeFileSync(cds, 'resources: 3\n')
  const pinned = answer({ text: disk(main), source: main, pinned: { [cds]: fresh.reads.find(([path]) => path === cds)![1] } }, env, disk)
  expect(pinned.ok && pinned.reads.map(([path]) => path)).toEqual([lds])
  const unpinned = answer({ text: disk(main), source: main, pinned: {} }, env, disk)
  expect(!unpinned.ok && 'issues' in unpinned && unpinned.issues.map((i) => i.path).join(' ')).toContain('cds.yaml')
})
