// The HTTP connection manager: most of its fields are the compact listener's own (edgeway's
// listener is Envoy's listener + HCM in one), its routes come from route_config, and its
// http_filters must end with the router.

import { HCM, HCM_TRACING, HTTP_FILTER, UPGRADE_CONFIG } from './fields.ts'
import { readUpgradeConfigs } from './upgrade-configs.ts'
import { readAccessLogs } from './access-log.ts'
import { extension } from './extensions.ts'
import { readFault } from './fault.ts'
import { at, checkKeys, duration, enumOf, idx, isObj, list, mapping, type Obj, unwrap } from './reader.ts'
import { readRouteConfig } from './route-config.ts'
import { readProvider } from './tracing.ts'
import type { Tx } from './translate.ts'

/** HCM fields whose compact listener field has the same name and meaning. */
const SAME = ['stat_prefix', 'generate_request_id', 'use_remote_address', 'xff_num_trusted_hops', 'always_set_request_id_in_response', 'server_name', 'max_request_headers_kb', 'normalize_path', 'merge_slashes', 'preserve_external_request_id', 'add_user_agent'] as const

export function readHcm(tx: Tx, hcm: Obj, path: string, out: Obj, compactPath: string, direction: string | undefined): void {
  const { ctx } = tx
  checkKeys(ctx, hcm, path, HCM)
  for (const key of SAME) {
    if (hcm[key] === undefined) continue
    out[key] = unwrap(hcm[key])
    tx.paths.link(`${compactPath}.${key}`, at(path, key))
  }
  if (hcm.stat_prefix === undefined) ctx.error(at(path, 'stat_prefix'), 'is required')
  const codec = enumOf(ctx, hcm.codec_type, at(path, 'codec_type'), ['AUTO', 'HTTP1', 'HTTP2', 'HTTP3'])
  if (codec === 'HTTP3') ctx.unsupported(at(path, 'codec_type'), 'HTTP3 only is')
  else if (codec) {
    out.codec_type = codec.toLowerCase()
    tx.paths.link(`${compactPath}.codec_type`, at(path, 'codec_type'))
  }
  if (hcm.upgrade_configs !== undefined) {
    out.upgrade_configs = readUpgradeConfigs(tx, hcm.upgrade_configs, at(path, 'upgrade_configs'), UPGRADE_CONFIG)
    tx.paths.link(`${compactPath}.upgrade_configs`, at(path, 'upgrade_configs'))
  }
  const transform = enumOf(ctx, hcm.server_header_transformation, at(path, 'server_header_transformation'), ['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH'])
  if (transform && transform !== 'OVERWRITE') ctx.unsupported(at(path, 'server_header_transformation'), `${transform} is`)

  const common = hcm.common_http_protocol_options
  if (common !== undefined) {
    const commonPath = at(path, 'common_http_protocol_options')
    const options = mapping(ctx, common, commonPath)
    for (const key of Object.keys(options ?? {})) {
      if (key === 'idle_timeout') {
        out.idle_timeout = duration(options!.idle_timeout)
        tx.paths.link(`${compactPath}.idle_timeout`, at(commonPath, key))
      } else if (key === 'max_headers_count') {
        // Envoy's downstream limit: the HCM's protocol options bound the requests it takes (431 past it).
        out.max_request_headers_count = unwrap(options!.max_headers_count)
        tx.paths.link(`${compactPath}.max_request_headers_count`, at(commonPath, key))
      } else if (key === 'headers_with_underscores_action') ctx.unsupported(at(commonPath, key))
      else ctx.warn(at(commonPath, key), 'has no effect in edgeway: ignored')
    }
  }

  out.access_log = readAccessLogs(tx, hcm.access_log, at(path, 'access_log'), compactPath)
  tx.paths.link(`${compactPath}.access_log`, at(path, 'access_log'))
  out.tracing = readHcmTracing(tx, hcm.tracing, at(path, 'tracing'), direction)
  tx.paths.link(`${compactPath}.tracing`, at(path, 'tracing'))

  if (hcm.route_config === undefined) {
    if (hcm.rds === undefined) ctx.error(at(path, 'route_config'), 'is required (routes are read from the file: rds is not supported)')
  } else {
    out.virtual_hosts = readRouteConfig(tx, hcm.route_config, at(path, 'route_config'), `${compactPath}.virtual_hosts`)
  }
  const fault = readHttpFilters(tx, hcm.http_filters, at(path, 'http_filters'), compactPath)
  if (fault) out.fault = fault
  else dropRouteFaults(tx, out.virtual_hosts, `${compactPath}.virtual_hosts`)
}

/** The router (last), and the fault filter's settings when there is one. */
function readHttpFilters(tx: Tx, value: unknown, path: string, compactPath: string): Obj | undefined {
  const { ctx } = tx
  const filters = list(ctx, value, path)
  let router = -1
  let fault: Obj | undefined
  filters.forEach((entry, i) => {
    const filterPath = idx(path, i)
    const filter = mapping(ctx, entry, filterPath)
    if (!filter) return
    checkKeys(ctx, filter, filterPath, HTTP_FILTER)
    const ext = extension(ctx, filter, filterPath, ['router', 'fault'], 'HTTP filter')
    if (!ext) return
    if (ext.kind === 'fault') {
      if (fault) ctx.error(filterPath, 'a second fault filter is not supported by edgeway')
      else fault = readFault(tx, ext.body, ext.bodyPath, `${compactPath}.fault`)
      return
    }
    router = i
    for (const key of Object.keys(ext.body)) ctx.warn(at(ext.bodyPath, key), 'has no effect in edgeway: ignored')
  })
  if (filters.length === 0) ctx.error(path, 'needs envoy.filters.http.router (requests go nowhere without it)')
  else if (router !== -1 && router !== filters.length - 1) ctx.error(idx(path, router), 'the router must be the last HTTP filter')
  return fault
}

/** As Envoy: a virtual host's or route's fault settings only apply where the HCM has the fault filter. */
function dropRouteFaults(tx: Tx, hosts: unknown, compactPath: string): void {
  if (!Array.isArray(hosts)) return
  hosts.forEach((host, j) => {
    if (isObj(host) && host.fault !== undefined) {
      delete host.fault
      tx.ctx.warn(tx.paths.toEnvoy(`${compactPath}[${j}].fault`), 'has no effect: this http_connection_manager has no envoy.filters.http.fault')
    }
    const routes = isObj(host) && Array.isArray(host.routes) ? host.routes : []
    routes.forEach((route, k) => {
      if (!isObj(route) || route.fault === undefined) return
      delete route.fault
      tx.ctx.warn(tx.paths.toEnvoy(`${compactPath}[${j}].routes[${k}].fault`), 'has no effect: this http_connection_manager has no envoy.filters.http.fault')
    })
  })
}

function readHcmTracing(tx: Tx, value: unknown, path: string, direction: string | undefined): Obj {
  const { ctx } = tx
  const operation = direction === 'OUTBOUND' ? 'egress' : 'ingress'
  // No tracing block: Envoy starts no traces on this listener.
  if (value === undefined) return { operation_name: operation, random_sampling: 0, client_sampling: 0, overall_sampling: 0 }
  const tracing = mapping(ctx, value ?? {}, path) ?? {}
  checkKeys(ctx, tracing, path, HCM_TRACING)
  const out: Obj = { operation_name: operation }
  const v2 = enumOf(ctx, tracing.operation_name, at(path, 'operation_name'), ['INGRESS', 'EGRESS'])
  if (v2 !== undefined) {
    if (direction !== undefined && direction !== 'UNSPECIFIED' && (direction === 'OUTBOUND') !== (v2 === 'EGRESS'))
      ctx.error(at(path, 'operation_name'), `${v2} contradicts the listener's traffic_direction ${direction}`)
    out.operation_name = v2.toLowerCase()
  }
  for (const key of ['random_sampling', 'client_sampling', 'overall_sampling']) {
    const raw = tracing[key]
    if (raw === undefined) continue
    out[key] = isObj(raw) ? raw.value : raw
  }
  // Same shape in both formats (literal, environment, request_header); the compact schema judges it.
  if (tracing.custom_tags !== undefined) out.custom_tags = tracing.custom_tags
  if (tracing.provider !== undefined) readProvider(tx, tracing.provider, at(path, 'provider'))
  return out
}
