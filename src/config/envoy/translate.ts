// The Envoy bootstrap front end's entry: walks the user's bootstrap (v3, or v2-era spellings) and
// writes the equivalent compact config, remembering where each part came from. The compact schema,
// cross-checks and model then apply unchanged: one model, two front ends.

import type { ConfigIssue } from '../config-error.ts'
import { readBootstrapTracing, type TracingState, finishTracing } from './tracing.ts'
import { readClusters } from './cluster.ts'
import { BOOTSTRAP, NODE, STATIC_RESOURCES } from './fields.ts'
import { readListeners } from './listener.ts'
import { PathMap } from './path-map.ts'
import { checkKeys, Ctx, isObj, mapping, type Obj } from './reader.ts'
import { readAdmin } from './admin.ts'
import { readRuntime } from './runtime.ts'
import { type DynamicFile, readDynamicResources, type ResourceReader } from './dynamic-resources.ts'

export type Translation = {
  /** The compact config (unvalidated: the compact schema judges it next). */
  readonly compact: Obj
  readonly paths: PathMap
  readonly errors: readonly ConfigIssue[]
  readonly warnings: readonly ConfigIssue[]
  /** The LDS / CDS files dynamic_resources read, for the caller to watch. */
  readonly files: readonly DynamicFile[]
}

/** What every part of the walk shares: issues, the path map, tracing collected from listeners. */
export type Tx = { readonly ctx: Ctx; readonly paths: PathMap; readonly tracing: TracingState }

/** Top-level keys of the compact format that sit one level down in Envoy's bootstrap. */
const NEAR_MISSES: Readonly<Record<string, string>> = {
  listeners: 'static_resources.listeners',
  clusters: 'static_resources.clusters',
  secrets: 'static_resources.secrets',
  access_log_path: 'admin.access_log_path',
  address: 'admin.address',
  http: 'tracing.http',
}

export function translateEnvoy(raw: Obj, readResource?: ResourceReader): Translation {
  const tx: Tx = { ctx: new Ctx(), paths: new PathMap(), tracing: { collectors: [] } }
  const { ctx } = tx
  for (const key of Object.keys(raw)) {
    const hint = NEAR_MISSES[key]
    if (hint) ctx.error(key, `not a top-level field of Envoy's bootstrap: did you mean ${hint}? (check the indentation)`)
  }
  const known = Object.fromEntries(Object.entries(raw).filter(([key]) => !(key in NEAR_MISSES)))
  checkKeys(ctx, known, '', BOOTSTRAP)

  const compact: Obj = {}
  if (raw.node !== undefined) {
    const node = mapping(ctx, raw.node, 'node')
    if (node) {
      checkKeys(ctx, node, 'node', NODE)
      compact.node = pick(node, ['id', 'cluster'])
      tx.paths.link('node', 'node')
    }
  }
  if (raw.admin !== undefined) {
    const admin = readAdmin(tx, raw.admin)
    if (admin) compact.admin = admin
  }
  if (raw.tracing !== undefined) readBootstrapTracing(tx, raw.tracing)

  const resources = raw.static_resources
  if (isObj(resources)) {
    checkKeys(ctx, resources, 'static_resources', STATIC_RESOURCES)
    compact.listeners = readListeners(tx, resources.listeners, 'static_resources.listeners')
    compact.clusters = readClusters(tx, resources.clusters, 'static_resources.clusters')
  } else if ((resources === undefined || resources === null) && raw.dynamic_resources !== undefined && !('listeners' in raw || 'clusters' in raw)) {
    if (resources === null) ctx.error('static_resources', 'is empty (check the indentation of what follows it)')
    compact.listeners = []
    compact.clusters = []
  } else if (resources === undefined || resources === null) {
    const misplaced = 'listeners' in raw || 'clusters' in raw
    if (resources === null) ctx.error('static_resources', `is empty${misplaced ? ': listeners and clusters belong under it' : ' (check the indentation of what follows it)'}`)
    else if (!misplaced) ctx.error('static_resources', 'is required (edgeway reads static listeners and clusters)')
    // Read what slipped out of place anyway, so the problems inside it are listed now, not after the fix.
    compact.listeners = readListeners(tx, raw.listeners, 'listeners')
    compact.clusters = readClusters(tx, raw.clusters, 'clusters')
  } else {
    mapping(ctx, resources, 'static_resources')
  }
  let files: DynamicFile[] = []
  if (raw.dynamic_resources !== undefined) {
    const listeners = Array.isArray(compact.listeners) ? (compact.listeners as Obj[]) : []
    const clusters = Array.isArray(compact.clusters) ? (compact.clusters as Obj[]) : []
    const dynamic = readDynamicResources(tx, raw.dynamic_resources, 'dynamic_resources', readResource, { listeners: listeners.length, clusters: clusters.length })
    compact.listeners = [...listeners, ...dynamic.listeners]
    compact.clusters = [...clusters, ...dynamic.clusters]
    files = dynamic.files
  }
  if (raw.layered_runtime !== undefined) {
    const runtime = readRuntime(tx, raw.layered_runtime, 'layered_runtime', faultRuntimeKeys(compact.listeners))
    if (runtime) compact.layered_runtime = runtime
  }

  const tracing = finishTracing(tx, Array.isArray(compact.clusters) ? (compact.clusters as Obj[]) : [])
  if (tracing) compact.tracing = tracing
  return { compact, paths: tx.paths, errors: ctx.errors, warnings: ctx.warnings, files }
}

/** The runtime keys the file's fault filters name themselves (`abort_percent_runtime` ...). */
function faultRuntimeKeys(listeners: unknown): Set<string> {
  const keys = new Set<string>()
  const add = (fault: unknown) => {
    if (isObj(fault)) for (const [key, value] of Object.entries(fault)) if (key.endsWith('_runtime') && typeof value === 'string') keys.add(value)
  }
  for (const listener of Array.isArray(listeners) ? listeners : []) {
    if (!isObj(listener)) continue
    add(listener.fault)
    for (const host of Array.isArray(listener.virtual_hosts) ? listener.virtual_hosts : []) {
      if (isObj(host)) add(host.fault)
      for (const route of isObj(host) && Array.isArray(host.routes) ? host.routes : []) if (isObj(route)) add(route.fault)
    }
  }
  return keys
}

export function pick(obj: Obj, keys: readonly string[]): Obj {
  const out: Obj = {}
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key]
  return out
}
