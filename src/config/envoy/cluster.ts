// Envoy clusters onto compact ones: discovery type, balancer, timeouts, DNS, endpoints (v3
// `load_assignment` or v2 `hosts`), health checks, outlier detection, circuit breakers.

import { ACTIVE_REQUEST_BIAS, CIRCUIT_BREAKERS, CLUSTER, COMMON_LB_CONFIG, CONSISTENT_HASHING_LB_CONFIG, HEALTH_CHECK, LOCALITY_WEIGHTED_LB_CONFIG, HTTP_HEALTH_CHECK, HTTP2_PROTOCOL_OPTIONS, LEAST_REQUEST_LB_CONFIG, MAGLEV_LB_CONFIG, OUTLIER_DETECTION, RING_HASH_LB_CONFIG, THRESHOLDS } from './fields.ts'
import { readEndpoints } from './endpoints.ts'
import { at, checkKeys, duration, enumOf, idx, list, mapping, type Obj, unwrap } from './reader.ts'
import { readSocketAddress } from './socket-address.ts'
import { readTransportSocket } from './transport-socket.ts'
import type { Tx } from './translate.ts'

/** `offset`: where these clusters start among all of them (CDS files add theirs after the static ones). */
export function readClusters(tx: Tx, value: unknown, path: string, offset = 0): Obj[] {
  if (offset === 0) tx.paths.link('clusters', path)
  return list(tx.ctx, value, path).map((entry, i) => readCluster(tx, entry, idx(path, i), `clusters[${offset + i}]`))
}

function readCluster(tx: Tx, value: unknown, path: string, compactPath: string): Obj {
  const { ctx } = tx
  tx.paths.link(compactPath, path)
  const cluster = mapping(ctx, value, path)
  if (!cluster) return {}
  checkKeys(ctx, cluster, path, CLUSTER)
  const out: Obj = {}
  if (cluster.name !== undefined) out.name = cluster.name
  const type = enumOf(ctx, cluster.type, at(path, 'type'), ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'])
  if (type === 'EDS' || type === 'ORIGINAL_DST') ctx.unsupported(at(path, 'type'), `${type} is`)
  else if (type) out.type = type.toLowerCase()
  const lb = enumOf(ctx, cluster.lb_policy, at(path, 'lb_policy'), ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV', 'CLUSTER_PROVIDED', 'ORIGINAL_DST_LB', 'LOAD_BALANCING_POLICY_CONFIG'])
  if (lb === 'ROUND_ROBIN' || lb === 'LEAST_REQUEST' || lb === 'RANDOM' || lb === 'RING_HASH' || lb === 'MAGLEV') out.lb_policy = lb.toLowerCase()
  else if (lb) ctx.unsupported(at(path, 'lb_policy'), `${lb} is`)
  if (cluster.ring_hash_lb_config !== undefined) {
    const ring = mapping(ctx, cluster.ring_hash_lb_config, at(path, 'ring_hash_lb_config'))
    if (ring) {
      const ringPath = at(path, 'ring_hash_lb_config')
      const config = unwrapAll(checkKeys(ctx, ring, ringPath, RING_HASH_LB_CONFIG), ['minimum_ring_size', 'maximum_ring_size'], [])
      const fn = enumOf(ctx, ring.hash_function, at(ringPath, 'hash_function'), ['XX_HASH', 'MURMUR_HASH_2'])
      if (fn) config.hash_function = fn.toLowerCase()
      out.ring_hash_lb_config = config
    }
  }
  if (cluster.common_lb_config !== undefined) {
    const commonPath = at(path, 'common_lb_config')
    const common = mapping(ctx, cluster.common_lb_config, commonPath)
    if (common) {
      checkKeys(ctx, common, commonPath, COMMON_LB_CONFIG)
      const lbCommon: Obj = {}
      // A Percent ({ value: N }): the compact field holds N, its errors point at the Envoy field.
      if (common.healthy_panic_threshold !== undefined) lbCommon.healthy_panic_threshold = unwrap(common.healthy_panic_threshold)
      // A plain bool in Envoy's proto, so no wrapper to take off.
      if (common.ignore_new_hosts_until_first_hc !== undefined) lbCommon.ignore_new_hosts_until_first_hc = common.ignore_new_hosts_until_first_hc
      if (common.fail_traffic_on_panic !== undefined) lbCommon.fail_traffic_on_panic = common.fail_traffic_on_panic
      if (common.locality_weighted_lb_config !== undefined) {
        const localityPath = at(commonPath, 'locality_weighted_lb_config')
        const locality = mapping(ctx, common.locality_weighted_lb_config, localityPath)
        if (locality) checkKeys(ctx, locality, localityPath, LOCALITY_WEIGHTED_LB_CONFIG)
        lbCommon.locality_weighted_lb_config = {}
      }
      const hashingPath = at(commonPath, 'consistent_hashing_lb_config')
      const hashing = common.consistent_hashing_lb_config === undefined ? undefined : mapping(ctx, common.consistent_hashing_lb_config, hashingPath)
      if (hashing) {
        checkKeys(ctx, hashing, hashingPath, CONSISTENT_HASHING_LB_CONFIG)
        lbCommon.consistent_hashing_lb_config = hashing.use_hostname_for_hashing === undefined ? {} : { use_hostname_for_hashing: unwrap(hashing.use_hostname_for_hashing) }
      }
      if (Object.keys(lbCommon).length > 0) out.common_lb_config = lbCommon
    }
  }
  if (cluster.maglev_lb_config !== undefined) {
    const maglev = mapping(ctx, cluster.maglev_lb_config, at(path, 'maglev_lb_config'))
    if (maglev) out.maglev_lb_config = unwrapAll(checkKeys(ctx, maglev, at(path, 'maglev_lb_config'), MAGLEV_LB_CONFIG), ['table_size'], [])
  }
  if (cluster.least_request_lb_config !== undefined) {
    const lrPath = at(path, 'least_request_lb_config')
    const lr = mapping(ctx, cluster.least_request_lb_config, lrPath)
    if (lr) {
      checkKeys(ctx, lr, lrPath, LEAST_REQUEST_LB_CONFIG)
      const biasPath = at(lrPath, 'active_request_bias')
      const bias = lr.active_request_bias === undefined ? undefined : mapping(ctx, lr.active_request_bias, biasPath)
      out.least_request_lb_config = {}
      if (bias) {
        checkKeys(ctx, bias, biasPath, ACTIVE_REQUEST_BIAS)
        tx.paths.link(`${compactPath}.least_request_lb_config.active_request_bias`, at(biasPath, 'default_value'))
        if (bias.default_value !== undefined) out.least_request_lb_config = { active_request_bias: bias.default_value }
      }
    }
  }
  if (cluster.connect_timeout !== undefined) out.connect_timeout = duration(cluster.connect_timeout)
  if (cluster.dns_refresh_rate !== undefined) out.dns_refresh_rate = duration(cluster.dns_refresh_rate)
  const family = enumOf(ctx, cluster.dns_lookup_family, at(path, 'dns_lookup_family'), ['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL'])
  if (family) out.dns_lookup_family = family
  if (cluster.dns_resolvers !== undefined) {
    out.dns_resolvers = list(ctx, cluster.dns_resolvers, at(path, 'dns_resolvers')).map((entry, i) => {
      const resolverPath = idx(at(path, 'dns_resolvers'), i)
      const resolver = mapping(ctx, entry, resolverPath)
      const socket = resolver && readSocketAddress(ctx, resolver.socket_address, at(resolverPath, 'socket_address'))
      return socket ? `${String(socket.address)}:${String(socket.port)}` : ''
    })
  }
  out.load_assignment = readEndpoints(tx, cluster, path, compactPath)
  if (cluster.health_checks !== undefined) out.health_checks = list(ctx, cluster.health_checks, at(path, 'health_checks')).map((h, i) => readHealthCheck(tx, h, idx(at(path, 'health_checks'), i)))
  if (cluster.outlier_detection !== undefined) {
    const outlier = mapping(ctx, cluster.outlier_detection, at(path, 'outlier_detection'))
    if (outlier) {
      checkKeys(ctx, outlier, at(path, 'outlier_detection'), OUTLIER_DETECTION)
      out.outlier_detection = unwrapAll(outlier, ['consecutive_5xx', 'max_ejection_percent'], ['base_ejection_time'])
    }
  }
  if (cluster.circuit_breakers !== undefined) out.circuit_breakers = readCircuitBreakers(tx, cluster.circuit_breakers, at(path, 'circuit_breakers'))
  const http2 = readProtocolOptions(tx, cluster, path, compactPath)
  if (http2) out.http2_protocol_options = http2
  if (cluster.transport_socket !== undefined) {
    const tls = readTransportSocket(tx, cluster.transport_socket, at(path, 'transport_socket'), 'upstream', compactPath)
    if (tls) out.tls = tls
  }
  return out
}

function readHealthCheck(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const check = mapping(ctx, value, path)
  if (!check) return {}
  checkKeys(ctx, check, path, HEALTH_CHECK)
  const out = unwrapAll(check, ['unhealthy_threshold', 'healthy_threshold'], ['timeout', 'interval'])
  if (check.http_health_check === undefined) {
    if (check.tcp_health_check === undefined && check.grpc_health_check === undefined && check.custom_health_check === undefined) ctx.error(at(path, 'http_health_check'), 'is required')
  } else {
    const http = mapping(ctx, check.http_health_check, at(path, 'http_health_check'))
    if (http) {
      checkKeys(ctx, http, at(path, 'http_health_check'), HTTP_HEALTH_CHECK)
      out.http_health_check = { path: http.path, ...(http.expected_statuses !== undefined && { expected_statuses: http.expected_statuses }) }
    }
  }
  return out
}

function readCircuitBreakers(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const breakers = mapping(ctx, value, path)
  if (!breakers) return {}
  checkKeys(ctx, breakers, path, CIRCUIT_BREAKERS)
  const thresholds = list(ctx, breakers.thresholds, at(path, 'thresholds')).map((entry, i) => {
    const thresholdPath = idx(at(path, 'thresholds'), i)
    const threshold = mapping(ctx, entry, thresholdPath)
    if (!threshold) return {}
    checkKeys(ctx, threshold, thresholdPath, THRESHOLDS)
    const priority = enumOf(ctx, threshold.priority, at(thresholdPath, 'priority'), ['DEFAULT', 'HIGH'])
    if (priority === 'HIGH') ctx.unsupported(at(thresholdPath, 'priority'), 'HIGH priority is')
    const out = unwrapAll(threshold, ['max_connections', 'max_pending_requests', 'max_requests', 'max_retries'], [])
    if (threshold.track_remaining !== undefined) out.track_remaining = threshold.track_remaining
    return out
  })
  return { thresholds }
}

/**
 * The compact `http2_protocol_options` when the cluster speaks HTTP/2 upstream (`http2_protocol_options`,
 * or HttpProtocolOptions' explicit HTTP/2), else undefined. The settings the HTTP/2 client applies
 * are copied (the compact schema judges their values); each other one is a warning.
 */
function readProtocolOptions(tx: Tx, cluster: Obj, path: string, compactPath: string): Obj | undefined {
  const { ctx } = tx
  let http2: Obj | undefined
  const http2Options = (value: unknown, optionsPath: string) => {
    http2 = {}
    tx.paths.link(`${compactPath}.http2_protocol_options`, optionsPath)
    const options = checkKeys(ctx, mapping(ctx, value ?? {}, optionsPath) ?? {}, optionsPath, HTTP2_PROTOCOL_OPTIONS)
    for (const key of HTTP2_PROTOCOL_OPTIONS.supported) if (options[key] !== undefined) http2[key] = unwrap(options[key])
  }
  if (cluster.http2_protocol_options !== undefined) http2Options(cluster.http2_protocol_options, at(path, 'http2_protocol_options'))
  for (const key of ['http_protocol_options', 'common_http_protocol_options', 'upstream_connection_options', 'per_connection_buffer_limit_bytes'])
    if (cluster[key] !== undefined) ctx.warn(at(path, key), 'has no effect in edgeway: ignored')
  if (cluster.typed_extension_protocol_options === undefined) return http2
  const optionsPath = at(path, 'typed_extension_protocol_options')
  const options = mapping(ctx, cluster.typed_extension_protocol_options, optionsPath)
  for (const [key, entry] of Object.entries(options ?? {})) {
    const entryPath = at(optionsPath, key)
    if (key !== 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions') {
      ctx.unsupported(entryPath, `protocol options "${key}" are`)
      continue
    }
    const http = mapping(ctx, entry, entryPath)
    const explicitPath = at(entryPath, 'explicit_http_config')
    const explicit = http && mapping(ctx, http.explicit_http_config ?? {}, explicitPath)
    if (explicit?.http2_protocol_options !== undefined) http2Options(explicit.http2_protocol_options, at(explicitPath, 'http2_protocol_options'))
    for (const key of Object.keys(http ?? {})) if (key !== 'explicit_http_config' && key !== '@type') ctx.warn(at(entryPath, key), key === 'auto_config' ? 'ALPN-chosen protocols are not applied: this cluster is reached over HTTP/1.1' : 'has no effect in edgeway: ignored')
    if (explicit && explicit.http2_protocol_options === undefined) ctx.warn(explicitPath, 'only http2_protocol_options changes the protocol: this cluster is reached over HTTP/1.1')
  }
  return http2
}

/** Copies `numbers` (unwrapping `{ value }`) and `durations` (text or `{ seconds, nanos }`) that are set. */
function unwrapAll(obj: Obj, numbers: readonly string[], durations: readonly string[]): Obj {
  const out: Obj = {}
  for (const key of numbers) if (obj[key] !== undefined) out[key] = unwrap(obj[key])
  for (const key of durations) if (obj[key] !== undefined) out[key] = duration(obj[key])
  return out
}
