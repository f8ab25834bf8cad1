// `dynamic_resources` from files, as Envoy's dynamic-config-fs sandbox runs it: lds_config and
// cds_config name a file (path_config_source, or the v2 `path` string) holding a DiscoveryResponse
// whose resources are Listeners or Clusters. They are read with the bootstrap and join its static
// ones; the files are watched by the caller (each change reloads the whole config, as SIGHUP does).
// Problems inside a file are reported at `<file>#resources[i]...`.

import { CONFIG_SOURCE, DISCOVERY_RESPONSE, DYNAMIC_RESOURCES, PATH_CONFIG_SOURCE } from './fields.ts'
import { readClusters } from './cluster.ts'
import { readListeners } from './listener.ts'
import { at, checkKeys, idx, isObj, list, mapping, type Obj, str } from './reader.ts'
import type { Tx } from './translate.ts'

/** Reads a resource file (YAML or JSON): its document, or why it could not be read. */
export type ResourceReader = (path: string) => { readonly path: string; readonly document: unknown } | { readonly path: string; readonly error: string }

/** `names`: the listeners or clusters the file holds. */
export type DynamicFile = { readonly kind: 'lds' | 'cds'; readonly path: string; readonly names: readonly string[] }

const TYPES = {
  lds: { what: 'Listener', types: ['envoy.config.listener.v3.Listener', 'envoy.api.v2.Listener'] },
  cds: { what: 'Cluster', types: ['envoy.config.cluster.v3.Cluster', 'envoy.api.v2.Cluster'] },
} as const

const TYPE_PREFIX = 'type.googleapis.com/'

export function readDynamicResources(tx: Tx, value: unknown, path: string, read: ResourceReader | undefined, offsets: { listeners: number; clusters: number }): { listeners: Obj[]; clusters: Obj[]; files: DynamicFile[] } {
  const { ctx } = tx
  const out = { listeners: [] as Obj[], clusters: [] as Obj[], files: [] as DynamicFile[] }
  const dynamic = mapping(ctx, value, path)
  if (!dynamic) return out
  checkKeys(ctx, dynamic, path, DYNAMIC_RESOURCES)
  for (const kind of ['lds', 'cds'] as const) {
    const key = `${kind}_config`
    if (dynamic[key] === undefined) continue
    const file = sourcePath(tx, dynamic[key], at(path, key))
    if (file === undefined) continue
    if (!read) {
      ctx.error(at(path, key), 'resource files cannot be read here')
      continue
    }
    const loaded = read(file.value)
    if ('error' in loaded) {
      ctx.error(file.path, `cannot read "${loaded.path}": ${loaded.error}`)
      continue
    }
    const resources = readResources(tx, loaded.document, `${loaded.path}#`, kind)
    const entries = kind === 'lds' ? (out.listeners = readListeners(tx, resources.list, resources.path, offsets.listeners)) : (out.clusters = readClusters(tx, resources.list, resources.path, offsets.clusters))
    out.files.push({ kind, path: loaded.path, names: entries.map((r) => r.name).filter((n): n is string => typeof n === 'string') })
  }
  return out
}

/** A ConfigSource that names a file: `path_config_source: { path, watched_directory }`, or v2 `path:`. */
function sourcePath(tx: Tx, value: unknown, path: string): { value: string; path: string } | undefined {
  const { ctx } = tx
  const source = mapping(ctx, value, path)
  if (!source) return undefined
  checkKeys(ctx, source, path, CONFIG_SOURCE)
  if (source.path !== undefined && source.path_config_source !== undefined) {
    ctx.error(path, 'give path or path_config_source, not both')
    return undefined
  }
  if (source.path !== undefined) {
    const file = str(ctx, source.path, at(path, 'path'))
    return file === undefined ? undefined : { value: file, path: at(path, 'path') }
  }
  if (source.path_config_source === undefined) {
    if (!Object.keys(source).some((key) => CONFIG_SOURCE.unsupported?.includes(key))) ctx.error(path, 'needs path_config_source (edgeway reads resources from files only)')
    return undefined
  }
  const pcsPath = at(path, 'path_config_source')
  const pcs = mapping(ctx, source.path_config_source, pcsPath)
  if (!pcs) return undefined
  // watched_directory is how Envoy notices a file replaced by a move; edgeway polls the file
  // itself, which sees moves and in-place edits alike.
  checkKeys(ctx, pcs, pcsPath, PATH_CONFIG_SOURCE)
  const file = str(ctx, pcs.path, at(pcsPath, 'path'))
  if (file === undefined && pcs.path === undefined) ctx.error(at(pcsPath, 'path'), 'is required')
  return file === undefined ? undefined : { value: file, path: at(pcsPath, 'path') }
}

/** The DiscoveryResponse's resources, each checked for its `@type` and given without it. */
function readResources(tx: Tx, document: unknown, base: string, kind: 'lds' | 'cds'): { list: Obj[]; path: string } {
  const { ctx } = tx
  const path = `${base}resources`
  const response = mapping(ctx, document ?? {}, base)
  if (!response) return { list: [], path }
  checkKeys(ctx, response, base, DISCOVERY_RESPONSE)
  const { what, types } = TYPES[kind]
  const resources = list(ctx, response.resources, path).map((entry, i) => {
    if (!isObj(entry)) return entry as Obj
    const { '@type': type, ...rest } = entry
    const bare = typeof type === 'string' && type.startsWith(TYPE_PREFIX) ? type.slice(TYPE_PREFIX.length) : type
    if (type === undefined) ctx.error(at(idx(path, i), '@type'), `is required (type.googleapis.com/${types[0]})`)
    else if (!(types as readonly unknown[]).includes(bare)) ctx.error(at(idx(path, i), '@type'), `expected a ${what} (type.googleapis.com/${types[0]}), got ${JSON.stringify(type)}`)
    return rest
  })
  return { list: resources, path }
}
