// The compact `fault:` and `layered_runtime:` blocks into the model (part of to-model.ts).

import { parseDuration } from './duration.ts'
import type * as M from './model.ts'
import type { FaultConfig, FractionalPercent } from './model-fault.ts'
import type { RuntimeConfig, RuntimeLayerConfig, RuntimeValue } from './model-runtime.ts'
import type { ConfigFile } from './schema.ts'

type FileFault = NonNullable<ConfigFile['listeners'][number]['fault']>
type FilePercent = { numerator: number; denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION' }
type FileRuntime = NonNullable<ConfigFile['layered_runtime']>

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const

/** Envoy's default runtime keys of the fault filter. */
export const FAULT_RUNTIME_KEYS = {
  abortPercent: 'fault.http.abort.abort_percent',
  abortHttpStatus: 'fault.http.abort.http_status',
  delayPercent: 'fault.http.delay.fixed_delay_percent',
  delayDuration: 'fault.http.delay.fixed_duration_ms',
  maxActiveFaults: 'fault.http.max_active_faults',
} as const

export function toFractionalPercent(p: FilePercent | undefined): FractionalPercent {
  return { numerator: p?.numerator ?? 0, denominator: DENOMINATORS[p?.denominator ?? 'HUNDRED'] }
}

export function toFault(f: FileFault | undefined, toHeaderMatcher: (h: FileFault['headers'][number]) => M.HeaderMatcher): FaultConfig | undefined {
  if (!f) return undefined
  return {
    abort: f.abort && { httpStatus: f.abort.header_abort ? 'header' : f.abort.http_status!, percentage: toFractionalPercent(f.abort.percentage) },
    delay: f.delay && { fixedDelayMs: f.delay.header_delay ? 'header' : parseDuration(f.delay.fixed_delay!)!, percentage: toFractionalPercent(f.delay.percentage) },
    upstreamCluster: f.upstream_cluster,
    headers: f.headers.map(toHeaderMatcher),
    maxActiveFaults: f.max_active_faults,
    disableDownstreamClusterStats: f.disable_downstream_cluster_stats,
    runtimeKeys: {
      abortPercent: f.abort_percent_runtime ?? FAULT_RUNTIME_KEYS.abortPercent,
      abortHttpStatus: f.abort_http_status_runtime ?? FAULT_RUNTIME_KEYS.abortHttpStatus,
      delayPercent: f.delay_percent_runtime ?? FAULT_RUNTIME_KEYS.delayPercent,
      delayDuration: f.delay_duration_runtime ?? FAULT_RUNTIME_KEYS.delayDuration,
      maxActiveFaults: f.max_active_faults_runtime ?? FAULT_RUNTIME_KEYS.maxActiveFaults,
    },
  }
}

export function toRuntime(r: FileRuntime | undefined): RuntimeConfig {
  return { layers: (r?.layers ?? []).map(toLayer) }
}

function toLayer(l: FileRuntime['layers'][number]): RuntimeLayerConfig {
  if (l.static_layer) return { name: l.name, kind: 'static', values: Object.fromEntries(flattenStatic(l.static_layer)) }
  if (l.disk_layer) return { name: l.name, kind: 'disk', symlinkRoot: l.disk_layer.symlink_root, subdirectory: l.disk_layer.subdirectory, appendServiceCluster: l.disk_layer.append_service_cluster }
  return { name: l.name, kind: 'admin' }
}

/** `{ a: { b: 1 } }` → `a.b = "1"`, as Envoy reads a static layer; a `{ numerator, denominator }` leaf stays a FractionalPercent. */
export function flattenStatic(obj: Record<string, unknown>, prefix = ''): [string, RuntimeValue][] {
  const out: [string, RuntimeValue][] = []
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'object' && value !== null) {
      const v = value as Record<string, unknown>
      if ('numerator' in v || 'denominator' in v) out.push([name, toFractionalPercent(v as FilePercent)])
      else out.push(...flattenStatic(v, name))
    } else out.push([name, String(value)])
  }
  return out
}

/** A listener needs the fault filter when it, one of its virtual hosts or routes has fault settings. */
export function hasFaults(listener: M.ListenerConfig): boolean {
  return listener.fault !== undefined || listener.virtualHosts.some((v) => v.fault !== undefined || v.routes.some((r) => r.fault !== undefined))
}
