// Envoy's fault filter (envoy.filters.http.fault, HTTPFault) in the HCM's http_filters, and its
// per-route override in a route's typed_per_filter_config. The compact `fault:` block has
// HTTPFault's own shape, so the settings are copied once their keys are sorted; the compact
// schema then judges the values (statuses, percentages, durations) at the user's path.

import { kindOfType } from './extensions.ts'
import { FAULT, FAULT_ABORT, FAULT_DELAY, FRACTIONAL_PERCENT, HEADER_MATCHER } from './fields.ts'
import { at, checkKeys, duration, idx, isObj, list, mapping, type Obj, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

export const FAULT_FILTER_NAMES = ['envoy.filters.http.fault', 'envoy.fault']

/** The settings of one HTTPFault message (its `@type` already resolved), linked to `compactPath`. */
export function readFault(tx: Tx, body: Obj, path: string, compactPath: string): Obj {
  const { ctx } = tx
  checkKeys(ctx, body, path, FAULT)
  tx.paths.link(compactPath, path)
  const out: Obj = {}
  for (const key of ['upstream_cluster', 'disable_downstream_cluster_stats', 'abort_percent_runtime', 'abort_http_status_runtime', 'delay_percent_runtime', 'delay_duration_runtime', 'max_active_faults_runtime']) {
    if (body[key] !== undefined) out[key] = body[key]
  }
  if (body.max_active_faults !== undefined) out.max_active_faults = unwrap(body.max_active_faults)
  if (body.abort !== undefined) {
    const abort = mapping(ctx, body.abort, at(path, 'abort'))
    if (abort) {
      checkKeys(ctx, abort, at(path, 'abort'), FAULT_ABORT)
      out.abort = { ...pick(abort, ['http_status', 'header_abort']), ...percentage(tx, abort, at(path, 'abort')) }
    }
  }
  if (body.delay !== undefined) {
    const delay = mapping(ctx, body.delay, at(path, 'delay'))
    if (delay) {
      checkKeys(ctx, delay, at(path, 'delay'), FAULT_DELAY)
      if (delay.type !== undefined && String(delay.type).toUpperCase() !== 'FIXED') ctx.error(at(path, 'delay.type'), `${String(delay.type)} is not supported by edgeway (FIXED only)`)
      out.delay = {
        ...(delay.fixed_delay !== undefined && { fixed_delay: duration(delay.fixed_delay) }),
        ...pick(delay, ['header_delay']),
        ...percentage(tx, delay, at(path, 'delay')),
      }
    }
  }
  if (body.headers !== undefined) {
    out.headers = list(ctx, body.headers, at(path, 'headers')).map((entry, i) => {
      const header = mapping(ctx, entry, idx(at(path, 'headers'), i))
      return header ? { ...checkKeys(ctx, header, idx(at(path, 'headers'), i), HEADER_MATCHER) } : {}
    })
  }
  return out
}

/**
 * A route's `typed_per_filter_config`: the fault filter's entry becomes the route's `fault`
 * block; any other filter's entry is not supported. Returns the block, if any.
 */
export function readPerFilterConfig(tx: Tx, value: unknown, path: string, compactPath: string): Obj | undefined {
  const { ctx } = tx
  const configs = mapping(ctx, value, path)
  if (!configs) return undefined
  let fault: Obj | undefined
  for (const [name, entry] of Object.entries(configs)) {
    const entryPath = at(path, name)
    if (!isObj(entry)) {
      ctx.error(entryPath, 'expected a mapping with "@type"')
      continue
    }
    // envoy.config.route.v3.FilterConfig wraps the settings in `config`.
    const wrapped = typeof entry['@type'] === 'string' && entry['@type'].endsWith('envoy.config.route.v3.FilterConfig')
    const settings = wrapped ? entry.config : entry
    const settingsPath = wrapped ? at(entryPath, 'config') : entryPath
    if (!isObj(settings)) {
      ctx.error(settingsPath, 'expected a mapping with "@type"')
      continue
    }
    const type = typeof settings['@type'] === 'string' ? settings['@type'] : undefined
    const kind = type !== undefined ? kindOfType(type) : FAULT_FILTER_NAMES.includes(name) ? 'fault' : undefined
    if (kind !== 'fault') {
      ctx.error(type !== undefined ? at(settingsPath, '@type') : entryPath, `per-route config of HTTP filter "${type ?? name}" is not supported by edgeway`)
      continue
    }
    const { '@type': _type, ...body } = settings
    fault = readFault(tx, body, settingsPath, compactPath)
  }
  return fault
}

function percentage(tx: Tx, obj: Obj, path: string): Obj {
  if (obj.percentage === undefined) return {}
  const percent = mapping(tx.ctx, obj.percentage, at(path, 'percentage'))
  if (!percent) return {}
  checkKeys(tx.ctx, percent, at(path, 'percentage'), FRACTIONAL_PERCENT)
  return { percentage: { ...pick(percent, ['numerator']), ...(percent.denominator !== undefined && { denominator: String(percent.denominator).toUpperCase() }) } }
}

function pick(obj: Obj, keys: readonly string[]): Obj {
  const out: Obj = {}
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key]
  return out
}
