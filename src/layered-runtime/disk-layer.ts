// Envoy's disk runtime layer: every file under the layer's directory is one key (its path with
// `/` as `.`), its value the file's text trimmed, lines starting with `#` left out. Files and
// folders whose name starts with `.` are skipped, as Envoy does.

import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { RuntimeLayerConfig } from '../config/model-runtime.ts'

type DiskLayerConfig = Extract<RuntimeLayerConfig, { kind: 'disk' }>

/** Where Envoy reads the layer: `symlink_root/subdirectory`, plus `/<service cluster>` with append_service_cluster. */
export function diskLayerPath(layer: DiskLayerConfig, serviceCluster: string): string {
  const base = join(layer.symlinkRoot, layer.subdirectory)
  return layer.appendServiceCluster ? join(base, serviceCluster) : base
}

/**
 * The layer's keys, or undefined when its directory does not exist (Envoy then leaves the layer
 * out). A directory or file that exists but cannot be read throws: Envoy counts a load error and
 * leaves the layer out too.
 */
export function readDiskLayer(path: string): Map<string, string> | undefined {
  if (!isDirectory(path)) return undefined
  const values = new Map<string, string>()
  const walk = (dir: string, prefix: string) => {
    const names = readdirSync(dir)
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue
      const full = join(dir, name)
      const key = prefix ? `${prefix}.${name}` : name
      let isDir: boolean
      try {
        isDir = statSync(full).isDirectory()
      } catch {
        continue // a dangling link, or a file removed while the layer is read
      }
      if (isDir) walk(full, key)
      else values.set(key, fileValue(readFileSync(full, 'utf8')))
    }
  }
  walk(path, '')
  return values
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function fileValue(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim()
}

/** What symlink_root points at now; a swap of the link (Envoy's reload trigger) changes it. */
export function symlinkTarget(symlinkRoot: string): string | undefined {
  try {
    return realpathSync(symlinkRoot)
  } catch {
    return undefined
  }
}
