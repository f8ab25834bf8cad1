import { afterAll, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diskLayerPath, readDiskLayer, symlinkTarget } from './disk-layer.ts'

const root = mkdtempSync(join(tmpdir(), 'edgeway-disk-layer-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

test('each file is a key (path with / as .), trimmed, # lines and dot files left out', () => {
  const dir = join(root, 'v1', 'envoy')
  mkdirSync(join(dir, 'fault', 'http', 'abort'), { recursive: true })
  mkdirSync(join(dir, '.hidden'), { recursive: true })
  writeFileSync(join(dir, 'fault', 'http', 'abort', 'abort_percent'), '# raised for the demo\n100\n')
  writeFileSync(join(dir, 'fault', 'http', 'abort', 'http_status'), '503')
  writeFileSync(join(dir, '.hidden', 'key'), 'x')
  writeFileSync(join(dir, '.swp'), 'x')
  symlinkSync(join(root, 'v1'), join(root, 'current'))
  const path = diskLayerPath({ name: 'd', kind: 'disk', symlinkRoot: join(root, 'current'), subdirectory: 'envoy', appendServiceCluster: false }, 'front')
  expect([...readDiskLayer(path)!]).toEqual([
    ['fault.http.abort.abort_percent', '100'],
    ['fault.http.abort.http_status', '503'],
  ])
  expect(symlinkTarget(join(root, 'current'))).toBe(join(root, 'v1'))
  // A missing directory is no layer at all (Envoy leaves it out of the snapshot).
  expect(readDiskLayer(join(root, 'nothing-here'))).toBeUndefined()
  expect(symlinkTarget(join(root, 'nothing-here'))).toBeUndefined()
})
