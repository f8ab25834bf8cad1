// One model cluster written as an Envoy v3 Cluster (see from-model.ts).

import type { ClusterConfig } from '../model.ts'
import type * as M from '../model.ts'
import { DEFAULTS } from '../defaults.ts'
import { seconds, socket } from './envoy-values.ts'
import type { UpstreamTls } from '../../runtime.ts'

export function clusterToEnvoy(c: M.ClusterConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: c.name,
    type: c.type.toUpperCase(),
    lb_policy: c.lbPolicy.toUpperCase(),
    connect_timeout: seconds(c.connectTimeoutMs),
  }
  if (c.lbPolicy === 'ring_hash') {
    out.ring_hash_lb_config = { minimum_ring_size: c.ringHashMinimumRingSize, maximum_ring_size: c.ringHashMaximumRingSize, hash_function: c.ringHashFunction.toUpperCase() }
  }
  const common: Record<string, unknown> = {}
  if (c.healthyPanicThreshold !== DEFAULTS.healthyPanicThreshold) common.healthy_panic_threshold = { value: c.healthyPanicThreshold }
  if (c.ignoreNewHostsUntilFirstHc) common.ignore_new_hosts_until_first_hc = true
  if (c.failTrafficOnPanic) common.fail_traffic_on_panic = true
  if (c.localityWeightedLb) common.locality_weighted_lb_config = {}
  if (c.useHostnameForHashing) common.consistent_hashing_lb_config = { use_hostname_for_hashing: true }
  if (Object.keys(common).length > 0) out.common_lb_config = common
  if (c.lbPolicy === 'maglev') out.maglev_lb_config = { table_size: c.maglevTableSize }
  if (c.activeRequestBias !== undefined) out.least_request_lb_config = { active_request_bias: { default_value: c.activeRequestBias, runtime_key: `upstream.${c.name}.active_request_bias` } }
  if (c.type !== 'static') {
    out.dns_refresh_rate = seconds(c.dnsRefreshRateMs)
    out.dns_lookup_family = c.dnsLookupFamily
    if (c.dnsResolvers.length) out.dns_resolvers = c.dnsResolvers.map(resolverAddress)
  }
  out.load_assignment = { cluster_name: c.name, endpoints: localityLbEndpoints(c.endpoints) }
  const hc = c.healthCheck
  if (hc) {
    out.health_checks = [{
      timeout: seconds(hc.timeoutMs),
      interval: seconds(hc.intervalMs),
      healthy_threshold: hc.healthyThreshold,
      unhealthy_threshold: hc.unhealthyThreshold,
      http_health_check: { path: hc.path, expected_statuses: hc.expectedStatuses.map(([start, end]) => ({ start, end })) },
    }]
  }
  const od = c.outlierDetection
  if (od) out.outlier_detection = { consecutive_5xx: od.consecutive5xx, base_ejection_time: seconds(od.baseEjectionTimeMs), max_ejection_percent: od.maxEjectionPercent }
  const cb = c.circuitBreakers
  const d = DEFAULTS.circuitBreakers
  if (cb.maxConnections !== d.maxConnections || cb.maxPendingRequests !== d.maxPendingRequests || cb.maxRequests !== d.maxRequests || cb.maxRetries !== d.maxRetries || cb.trackRemaining) {
    const threshold = { max_connections: cb.maxConnections, max_pending_requests: cb.maxPendingRequests, max_requests: cb.maxRequests, max_retries: cb.maxRetries }
    out.circuit_breakers = { thresholds: [cb.trackRemaining ? { ...threshold, track_remaining: true } : threshold] }
  }
  const transport = c.transport
  if (transport?.http2) {
    const o = transport.http2Options
    const http2 = {
      ...(o?.maxConcurrentStreams !== undefined && { max_concurrent_streams: o.maxConcurrentStreams }),
      ...(o?.initialStreamWindowSize !== undefined && { initial_stream_window_size: o.initialStreamWindowSize }),
      ...(o?.initialConnectionWindowSize !== undefined && { initial_connection_window_size: o.initialConnectionWindowSize }),
    }
    out.typed_extension_protocol_options = { [HTTP_OPTIONS]: { '@type': `type.googleapis.com/${HTTP_OPTIONS}`, explicit_http_config: { http2_protocol_options: http2 } } }
  }
  if (transport?.tls) out.transport_socket = upstreamTlsToEnvoy(transport.tls, c.upstreamTls?.alpnProtocols)
  return out
}

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'

/** The cluster's TLS as Envoy's UpstreamTlsContext, PEM inline (the model holds it; keys are redacted from /config_dump). */
function upstreamTlsToEnvoy(tls: UpstreamTls, alpnProtocols: readonly string[] | undefined): Record<string, unknown> {
  const common: Record<string, unknown> = {}
  if (tls.certificateChainPem !== undefined) common.tls_certificates = [{ certificate_chain: { inline_string: tls.certificateChainPem }, private_key: { inline_string: tls.privateKeyPem } }]
  if (tls.caPem !== undefined)
    common.validation_context = {
      trusted_ca: { inline_string: tls.caPem },
      ...(tls.subjectAltNames.length && { match_typed_subject_alt_names: tls.subjectAltNames.map((m) => ({ san_type: 'DNS', matcher: { [m.kind]: m.value } })) }),
    }
  if (alpnProtocols) common.alpn_protocols = [...alpnProtocols]
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      ...(tls.serverName !== undefined && { sni: tls.serverName }),
      common_tls_context: common,
    },
  }
}

/** "ip:port" or "[v6]:port" as an Envoy Address. */
function resolverAddress(text: string) {
  const cut = text.lastIndexOf(':')
  return socket(text.slice(0, cut).replace(/^\[|\]$/g, ''), Number(text.slice(cut + 1)))
}

/**
 * The endpoints as LocalityLbEndpoints: one per priority, locality and locality weight in use
 * (priority 0 first), endpoints in config order within each.
 */
function localityLbEndpoints(endpoints: ClusterConfig['endpoints']): Record<string, unknown>[] {
  const groups = new Map<string, { priority: number; endpoints: ClusterConfig['endpoints'][number][] }>()
  for (const e of endpoints) {
    const l = e.locality
    const key = JSON.stringify([e.priority ?? 0, l?.region, l?.zone, l?.subZone, e.localityWeight])
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { priority: e.priority ?? 0, endpoints: [] }))
    group.endpoints.push(e)
  }
  if (groups.size === 0) return [{ lb_endpoints: [] }]
  return [...groups.values()].sort((a, b) => a.priority - b.priority).map(({ priority, endpoints: members }) => {
    const { locality, localityWeight } = members[0]!
    return {
      ...(locality && { locality: { ...(locality.region && { region: locality.region }), ...(locality.zone && { zone: locality.zone }), ...(locality.subZone && { sub_zone: locality.subZone }) } }),
      ...(localityWeight !== undefined && { load_balancing_weight: localityWeight }),
      ...(priority !== 0 && { priority }),
      lb_endpoints: members.map((e) => ({ endpoint: { address: socket(e.address, e.port) }, ...(e.weight !== undefined && e.weight !== 1 && { load_balancing_weight: e.weight }) })),
    }
  })
}
