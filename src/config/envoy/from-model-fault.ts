// The model's fault settings and layered runtime written as Envoy's HTTPFault and LayeredRuntime
// (for `edgeway convert --to envoy` and /config_dump); they load back into the same model.

import type * as M from '../model.ts'
import type { FaultConfig, FractionalPercent } from '../model-fault.ts'
import type { RuntimeConfig } from '../model-runtime.ts'
import { FAULT_RUNTIME_KEYS } from '../to-model-fault.ts'

export const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault'

const DENOMINATORS = { 100: 'HUNDRED', 10_000: 'TEN_THOUSAND', 1_000_000: 'MILLION' } as const

/** The settings of an HTTPFault (without `@type`). */
export function faultToEnvoy(f: FaultConfig, headerMatcher: (h: M.HeaderMatcher) => Record<string, unknown>): Record<string, unknown> {
  const runtime: Record<string, unknown> = {}
  const fields = { abortPercent: 'abort_percent_runtime', abortHttpStatus: 'abort_http_status_runtime', delayPercent: 'delay_percent_runtime', delayDuration: 'delay_duration_runtime', maxActiveFaults: 'max_active_faults_runtime' } as const
  for (const [key, field] of Object.entries(fields) as [keyof typeof fields, string][]) if (f.runtimeKeys[key] !== FAULT_RUNTIME_KEYS[key]) runtime[field] = f.runtimeKeys[key]
  return {
    ...(f.abort && { abort: { ...(f.abort.httpStatus === 'header' ? { header_abort: {} } : { http_status: f.abort.httpStatus }), percentage: percent(f.abort.percentage) } }),
    ...(f.delay && { delay: { ...(f.delay.fixedDelayMs === 'header' ? { header_delay: {} } : { fixed_delay: `${f.delay.fixedDelayMs / 1000}s` }), percentage: percent(f.delay.percentage) } }),
    ...(f.upstreamCluster !== undefined && { upstream_cluster: f.upstreamCluster }),
    ...(f.headers.length && { headers: f.headers.map(headerMatcher) }),
    ...(f.maxActiveFaults !== undefined && { max_active_faults: f.maxActiveFaults }),
    ...(f.disableDownstreamClusterStats && { disable_downstream_cluster_stats: true }),
    ...runtime,
  }
}

export function runtimeToEnvoy(r: RuntimeConfig): Record<string, unknown> {
  return {
    layers: r.layers.map((layer) => {
      if (layer.kind === 'static') return { name: layer.name, static_layer: Object.fromEntries(Object.entries(layer.values).map(([k, v]) => [k, typeof v === 'string' ? v : percent(v)])) }
      if (layer.kind === 'disk') return { name: layer.name, disk_layer: { symlink_root: layer.symlinkRoot, subdirectory: layer.subdirectory, append_service_cluster: layer.appendServiceCluster } }
      return { name: layer.name, admin_layer: {} }
    }),
  }
}

function percent(p: FractionalPercent): Record<string, unknown> {
  return { numerator: p.numerator, denominator: DENOMINATORS[p.denominator] }
}
