// An inline `route_config`: virtual hosts and their routes have the compact format's own shape
// (edgeway took Envoy's names), so they are copied field by field once every key is sorted.
// Route-config-level header rules apply to every virtual host, after its own.

import { DECORATOR, HEADER_MATCHER, REGEX_MATCHER, ROUTE, ROUTE_CONFIGURATION, ROUTE_MATCH, VIRTUAL_HOST } from './fields.ts'
import { readHeaderOptions, readHeaderNames } from './header-options.ts'
import { readPerFilterConfig } from './fault.ts'
import { readRouteAction, readRetryPolicy } from './route-action.ts'
import { at, checkKeys, idx, isObj, list, mapping, type Obj, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

const RULES = ['request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove'] as const

export function readRouteConfig(tx: Tx, value: unknown, path: string, compactPath: string): Obj[] {
  const { ctx } = tx
  const config = mapping(ctx, value, path)
  if (!config) return []
  checkKeys(ctx, config, path, ROUTE_CONFIGURATION)
  const hostsPath = at(path, 'virtual_hosts')
  tx.paths.link(compactPath, hostsPath)
  const shared = readRules(tx, config, path)
  return list(ctx, config.virtual_hosts, hostsPath).map((entry, j) => {
    const hostPath = idx(hostsPath, j)
    const hostCompact = `${compactPath}[${j}]`
    tx.paths.link(hostCompact, hostPath)
    const host = mapping(ctx, entry, hostPath)
    if (!host) return {}
    checkKeys(ctx, host, hostPath, VIRTUAL_HOST)
    const out: Obj = {}
    if (host.name !== undefined) out.name = host.name
    if (host.domains !== undefined) out.domains = host.domains
    if (host.require_tls !== undefined) out.require_tls = host.require_tls
    if (host.retry_policy !== undefined) out.retry_policy = readRetryPolicy(tx, host.retry_policy, at(hostPath, 'retry_policy'))
    if (host.typed_per_filter_config !== undefined) {
      const fault = readPerFilterConfig(tx, host.typed_per_filter_config, at(hostPath, 'typed_per_filter_config'), `${hostCompact}.fault`)
      if (fault) out.fault = fault
    }
    const own = readRules(tx, host, hostPath)
    for (const rule of RULES) {
      const combined = [...(own[rule] ?? []), ...(shared[rule] ?? [])]
      if (combined.length) out[rule] = combined
      // Entries that came from route_config keep their own path.
      shared[rule]?.forEach((_, k) => tx.paths.link(`${hostCompact}.${rule}[${(own[rule]?.length ?? 0) + k}]`, idx(at(path, rule), k)))
    }
    out.routes = list(ctx, host.routes, at(hostPath, 'routes')).map((r, k) => readRoute(tx, r, idx(at(hostPath, 'routes'), k), `${hostCompact}.routes[${k}]`))
    return out
  })
}

function readRules(tx: Tx, obj: Obj, path: string): Partial<Record<(typeof RULES)[number], unknown[]>> {
  const out: Partial<Record<(typeof RULES)[number], unknown[]>> = {}
  if (obj.request_headers_to_add !== undefined) out.request_headers_to_add = readHeaderOptions(tx, obj.request_headers_to_add, at(path, 'request_headers_to_add'))
  if (obj.response_headers_to_add !== undefined) out.response_headers_to_add = readHeaderOptions(tx, obj.response_headers_to_add, at(path, 'response_headers_to_add'))
  if (obj.request_headers_to_remove !== undefined) out.request_headers_to_remove = readHeaderNames(tx, obj.request_headers_to_remove, at(path, 'request_headers_to_remove'))
  if (obj.response_headers_to_remove !== undefined) out.response_headers_to_remove = readHeaderNames(tx, obj.response_headers_to_remove, at(path, 'response_headers_to_remove'))
  return out
}

function readRoute(tx: Tx, value: unknown, path: string, compactPath: string): Obj {
  const { ctx } = tx
  const route = mapping(ctx, value, path)
  if (!route) return {}
  checkKeys(ctx, route, path, ROUTE)
  const out: Obj = {}
  if (route.name !== undefined) out.name = route.name
  if (route.match === undefined) ctx.error(at(path, 'match'), 'is required')
  else out.match = readMatch(tx, route.match, at(path, 'match'))
  if (route.route === undefined) {
    if (route.redirect === undefined && route.direct_response === undefined) ctx.error(at(path, 'route'), 'is required')
  } else out.route = readRouteAction(tx, route.route, at(path, 'route'))
  if (route.decorator !== undefined) {
    const decorator = mapping(ctx, route.decorator, at(path, 'decorator'))
    if (decorator) out.decorator = { operation: checkKeys(ctx, decorator, at(path, 'decorator'), DECORATOR).operation }
  }
  if (route.typed_per_filter_config !== undefined) {
    const fault = readPerFilterConfig(tx, route.typed_per_filter_config, at(path, 'typed_per_filter_config'), `${compactPath}.fault`)
    if (fault) out.fault = fault
  }
  Object.assign(out, readRules(tx, route, path))
  return out
}

function readMatch(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const match = mapping(ctx, value, path)
  if (!match) return {}
  checkKeys(ctx, match, path, ROUTE_MATCH)
  const out: Obj = {}
  if (match.prefix !== undefined) out.prefix = match.prefix
  if (match.path !== undefined) out.path = match.path
  if (match.safe_regex !== undefined) out.safe_regex = readRegex(tx, match.safe_regex, at(path, 'safe_regex'))
  if (match.case_sensitive !== undefined) out.case_sensitive = unwrap(match.case_sensitive)
  if (match.headers !== undefined) {
    out.headers = list(ctx, match.headers, at(path, 'headers')).map((entry, i) => {
      const headerPath = idx(at(path, 'headers'), i)
      const header = mapping(ctx, entry, headerPath)
      if (!header) return {}
      checkKeys(ctx, header, headerPath, HEADER_MATCHER)
      const copy: Obj = { ...header }
      if (header.safe_regex_match !== undefined) copy.safe_regex_match = readRegex(tx, header.safe_regex_match, at(headerPath, 'safe_regex_match'))
      if (isObj(header.string_match) && header.string_match.safe_regex !== undefined)
        copy.string_match = { ...header.string_match, safe_regex: readRegex(tx, header.string_match.safe_regex, at(headerPath, 'string_match.safe_regex')) }
      return copy
    })
  }
  return out
}

/** `{ google_re2: { max_program_size }, regex }`: the size limit means nothing to edgeway's engine. */
function readRegex(tx: Tx, value: unknown, path: string): unknown {
  const regex = mapping(tx.ctx, value, path)
  if (!regex) return value
  checkKeys(tx.ctx, regex, path, REGEX_MATCHER)
  const re2 = regex.google_re2
  if (isObj(re2) && Object.keys(re2).length) tx.ctx.warn(at(path, 'google_re2'), 'max_program_size has no effect in edgeway: ignored')
  return { regex: regex.regex }
}
