// Turns the validated file (snake_case, durations) into the model the proxy reads (units in names).

import { DEFAULTS } from './defaults.ts'
import { parseDuration } from './duration.ts'
import type { ConfigFile } from './schema.ts'
import type * as M from './model.ts'
import type { Http2Options } from '../runtime.ts'
import { toFault, toRuntime } from './to-model-fault.ts'
import type { LoadedUpstreamTls } from './upstream-tls-load.ts'

type FileListener = ConfigFile['listeners'][number]
type FileVirtualHost = FileListener['virtual_hosts'][number]
type FileRoute = FileVirtualHost['routes'][number]
type FileRetryPolicy = NonNullable<FileRoute['route']['retry_policy']>
type FileHeaderMatcher = FileRoute['match']['headers'][number]
type FileCluster = ConfigFile['clusters'][number]
type FileHeaderRules = Pick<FileRoute, 'request_headers_to_add' | 'request_headers_to_remove' | 'response_headers_to_add' | 'response_headers_to_remove'>

const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : parseDuration(text)!)

/** `tls[i]` is listener i's TLS block, already read and checked by tls-load.ts; `clusterTls[i]` cluster i's (upstream-tls-load.ts). */
export function toModel(file: ConfigFile, tls: readonly (M.DownstreamTlsConfig | undefined)[] = [], clusterTls: readonly (LoadedUpstreamTls | undefined)[] = []): M.Config {
  return {
    node: { cluster: file.node.cluster ?? '', id: file.node.id ?? '' },
    admin: file.admin && { address: file.admin.address, port: file.admin.port },
    listeners: file.listeners.map((l, i) => toListener(l, tls[i])),
    clusters: file.clusters.map((c, i) => toCluster(c, clusterTls[i])),
    tracing: file.tracing && {
      zipkin: {
        url: file.tracing.zipkin.url,
        maxQueueSize: file.tracing.zipkin.max_queue_size,
        maxExportBatchSize: file.tracing.zipkin.max_export_batch_size,
        scheduledDelayMs: ms(file.tracing.zipkin.scheduled_delay, DEFAULTS.zipkin.scheduledDelayMs),
        exportTimeoutMs: ms(file.tracing.zipkin.export_timeout, DEFAULTS.zipkin.exportTimeoutMs),
        sharedSpanContext: file.tracing.zipkin.shared_span_context,
        b3Headers: file.tracing.zipkin.b3_headers,
        traceId128Bit: file.tracing.zipkin.trace_id_128bit,
      },
    },
    runtime: toRuntime(file.layered_runtime),
  }
}

function toListener(l: FileListener, tls: M.DownstreamTlsConfig | undefined): M.ListenerConfig {
  return {
    name: l.name,
    address: l.address,
    port: l.port,
    statPrefix: l.stat_prefix ?? l.name,
    direction: l.tracing.operation_name,
    serverName: l.server_name === false ? undefined : l.server_name,
    generateRequestId: l.generate_request_id,
    alwaysSetRequestIdInResponse: l.always_set_request_id_in_response,
    useRemoteAddress: l.use_remote_address,
    xffNumTrustedHops: l.xff_num_trusted_hops,
    trustEnvoyHeaders: l.trust_envoy_headers,
    addUserAgent: l.add_user_agent,
    maxRequestHeadersBytes: l.max_request_headers_kb * 1024,
    maxRequestHeadersCount: l.max_request_headers_count,
    maxRequestBytes: l.max_request_bytes,
    retryBufferBytes: l.per_request_buffer_limit_bytes,
    idleTimeoutMs: ms(l.idle_timeout, DEFAULTS.idleTimeoutMs),
    normalizePath: l.normalize_path,
    mergeSlashes: l.merge_slashes,
    preserveExternalRequestId: l.preserve_external_request_id,
    accessLog:
      l.access_log === false
        ? { enabled: false, format: 'text', omitEmptyValues: false }
        : {
            enabled: true,
            format: l.access_log.format ?? (l.access_log.json_format !== undefined ? 'json' : 'text'),
            ...(l.access_log.text_format !== undefined && { textFormat: l.access_log.text_format }),
            ...(l.access_log.json_format !== undefined && { jsonFormat: l.access_log.json_format }),
            omitEmptyValues: l.access_log.omit_empty_values,
            ...(l.access_log.path !== undefined && { path: l.access_log.path }),
          },
    tracing: {
      randomSampling: l.tracing.random_sampling,
      clientSampling: l.tracing.client_sampling,
      overallSampling: l.tracing.overall_sampling,
      customTags: l.tracing.custom_tags.map(toCustomTag),
    },
    tls,
    codec: l.codec_type,
    http3: l.http3,
    websocket: websocketEnabled(l.upgrade_configs) ?? false,
    fault: toFault(l.fault, toHeaderMatcher),
    virtualHosts: l.virtual_hosts.map(toVirtualHost),
  }
}

function toCustomTag(t: FileListener['tracing']['custom_tags'][number]): M.CustomTag {
  if ('literal' in t) return { tag: t.tag, kind: 'literal', value: t.literal.value }
  if ('environment' in t) return { tag: t.tag, kind: 'environment', name: t.environment.name, defaultValue: t.environment.default_value }
  return { tag: t.tag, kind: 'request_header', name: t.request_header.name, defaultValue: t.request_header.default_value }
}

function websocketEnabled(upgrades: readonly { upgrade_type: string; enabled: boolean }[] | undefined): boolean | undefined {
  return upgrades?.find((u) => u.upgrade_type === 'websocket')?.enabled
}

function toHeaderRules(r: FileHeaderRules): M.HeaderRules {
  const add = (list: FileHeaderRules['request_headers_to_add']) =>
    list.map((h) => ({ key: h.header.key, value: h.header.value, append: h.append }))
  return {
    requestHeadersToAdd: add(r.request_headers_to_add),
    requestHeadersToRemove: r.request_headers_to_remove,
    responseHeadersToAdd: add(r.response_headers_to_add),
    responseHeadersToRemove: r.response_headers_to_remove,
  }
}

function toVirtualHost(v: FileVirtualHost): M.VirtualHostConfig {
  return {
    name: v.name,
    domains: v.domains.map((d) => d.toLowerCase()),
    routes: v.routes.map(toRoute),
    retryPolicy: v.retry_policy && toRetryPolicy(v.retry_policy),
    requireTls: v.require_tls,
    fault: toFault(v.fault, toHeaderMatcher),
    ...toHeaderRules(v),
  }
}

function toRoute(r: FileRoute): M.RouteConfig {
  const match: M.RouteMatchConfig = {
    ...(r.match.prefix !== undefined && { prefix: r.match.prefix }),
    ...(r.match.path !== undefined && { path: r.match.path }),
    ...(r.match.safe_regex !== undefined && { safeRegex: r.match.safe_regex.regex }),
    caseSensitive: r.match.case_sensitive,
    headers: r.match.headers.map(toHeaderMatcher),
  }
  return {
    name: r.name,
    match,
    cluster: r.route.cluster,
    weightedClusters: r.route.weighted_clusters?.clusters.map((c) => ({ name: c.name, weight: c.weight })),
    prefixRewrite: r.route.prefix_rewrite,
    hostRewrite: r.route.host_rewrite_literal ?? r.route.host_rewrite,
    timeoutMs: ms(r.route.timeout, DEFAULTS.routeTimeoutMs),
    idleTimeoutMs: ms(r.route.idle_timeout, 0),
    retryPolicy: r.route.retry_policy && toRetryPolicy(r.route.retry_policy),
    operation: r.decorator?.operation,
    websocket: websocketEnabled(r.route.upgrade_configs),
    hashPolicy: r.route.hash_policy.map(toHashPolicy),
    fault: toFault(r.fault, toHeaderMatcher),
    ...toHeaderRules(r),
  }
}

export function toRetryPolicy(p: FileRetryPolicy): M.RetryPolicyConfig {
  const baseIntervalMs = ms(p.retry_back_off?.base_interval, DEFAULTS.retryBaseIntervalMs)
  return {
    retryOn: p.retry_on,
    numRetries: p.num_retries,
    perTryTimeoutMs: ms(p.per_try_timeout, 0),
    retriableStatusCodes: p.retriable_status_codes,
    backoff: { baseIntervalMs, maxIntervalMs: ms(p.retry_back_off?.max_interval, baseIntervalMs * 10) },
  }
}

function toHeaderMatcher(h: FileHeaderMatcher): M.HeaderMatcher {
  const base = { name: h.name, invert: h.invert_match }
  const s = h.string_match
  if (h.exact_match !== undefined || s?.exact !== undefined) return { ...base, kind: 'exact', value: (h.exact_match ?? s?.exact)! }
  if (h.prefix_match !== undefined || s?.prefix !== undefined) return { ...base, kind: 'prefix', value: (h.prefix_match ?? s?.prefix)! }
  if (h.suffix_match !== undefined || s?.suffix !== undefined) return { ...base, kind: 'suffix', value: (h.suffix_match ?? s?.suffix)! }
  if (h.contains_match !== undefined || s?.contains !== undefined) return { ...base, kind: 'contains', value: (h.contains_match ?? s?.contains)! }
  if (h.safe_regex_match !== undefined || s?.safe_regex !== undefined) return { ...base, kind: 'regex', value: (h.safe_regex_match ?? s?.safe_regex)!.regex }
  return { ...base, kind: 'present', value: h.present_match ?? true }
}

/** The settings set, or undefined when none is (the client's defaults). */
function http2Options(o: FileCluster['http2_protocol_options']): Http2Options | undefined {
  if (!o) return undefined
  const options: Http2Options = {
    ...(o.max_concurrent_streams !== undefined && { maxConcurrentStreams: o.max_concurrent_streams }),
    ...(o.initial_stream_window_size !== undefined && { initialStreamWindowSize: o.initial_stream_window_size }),
    ...(o.initial_connection_window_size !== undefined && { initialConnectionWindowSize: o.initial_connection_window_size }),
  }
  return Object.keys(options).length ? options : undefined
}

function toCluster(c: FileCluster, loadedTls: LoadedUpstreamTls | undefined): M.ClusterConfig {
  const hc = c.health_checks[0]
  const cb = c.circuit_breakers?.thresholds[0]
  const http2 = c.http2_protocol_options !== undefined
  return {
    ...((http2 || loadedTls?.tls) && { transport: { http2, ...(http2Options(c.http2_protocol_options) && { http2Options: http2Options(c.http2_protocol_options)! }), ...(loadedTls?.tls && { tls: loadedTls.tls }) } }),
    ...(loadedTls?.sources && { upstreamTls: loadedTls.sources }),
    name: c.name,
    type: c.type,
    lbPolicy: c.lb_policy,
    ringHashMinimumRingSize: c.ring_hash_lb_config?.minimum_ring_size ?? 1024,
    ringHashMaximumRingSize: c.ring_hash_lb_config?.maximum_ring_size ?? 8_388_608,
    ringHashFunction: c.ring_hash_lb_config?.hash_function ?? 'xx_hash',
    useHostnameForHashing: c.common_lb_config?.consistent_hashing_lb_config?.use_hostname_for_hashing ?? false,
    maglevTableSize: c.maglev_lb_config?.table_size ?? 65537,
    ...(c.least_request_lb_config?.active_request_bias !== undefined && { activeRequestBias: c.least_request_lb_config.active_request_bias }),
    // Envoy keeps a whole percentage (ProtobufPercentHelper::convertPercent truncates).
    healthyPanicThreshold: Math.trunc(c.common_lb_config?.healthy_panic_threshold ?? DEFAULTS.healthyPanicThreshold),
    ignoreNewHostsUntilFirstHc: c.common_lb_config?.ignore_new_hosts_until_first_hc ?? false,
    ...(c.common_lb_config?.fail_traffic_on_panic && { failTrafficOnPanic: true }),
    ...(c.common_lb_config?.locality_weighted_lb_config && { localityWeightedLb: true }),
    connectTimeoutMs: ms(c.connect_timeout, DEFAULTS.connectTimeoutMs),
    dnsRefreshRateMs: ms(c.dns_refresh_rate, DEFAULTS.dnsRefreshRateMs),
    initialFetchTimeoutMs: ms(c.initial_fetch_timeout, DEFAULTS.initialFetchTimeoutMs),
    dnsResolvers: c.dns_resolvers,
    dnsLookupFamily: c.dns_lookup_family,
    endpoints: c.load_assignment.endpoints.map((e) => ({
      address: e.address,
      port: e.port,
      ...(e.weight !== undefined && { weight: e.weight }),
      ...(e.priority !== undefined && e.priority !== 0 && { priority: e.priority }),
      ...(e.locality && (e.locality.region || e.locality.zone || e.locality.sub_zone) && { locality: { region: e.locality.region ?? '', zone: e.locality.zone ?? '', subZone: e.locality.sub_zone ?? '' } }),
      ...(e.locality_weight !== undefined && { localityWeight: e.locality_weight }),
    })),
    healthCheck: hc && {
      path: hc.http_health_check.path,
      intervalMs: parseDuration(hc.interval)!,
      timeoutMs: parseDuration(hc.timeout)!,
      healthyThreshold: hc.healthy_threshold,
      unhealthyThreshold: hc.unhealthy_threshold,
      expectedStatuses: (hc.http_health_check.expected_statuses ?? [{ start: 200, end: 300 }]).map((r) => [r.start, r.end] as const),
    },
    outlierDetection: c.outlier_detection && {
      consecutive5xx: c.outlier_detection.consecutive_5xx,
      baseEjectionTimeMs: ms(c.outlier_detection.base_ejection_time, DEFAULTS.outlierBaseEjectionTimeMs),
      maxEjectionPercent: c.outlier_detection.max_ejection_percent,
    },
    circuitBreakers: {
      maxConnections: cb?.max_connections ?? DEFAULTS.circuitBreakers.maxConnections,
      maxPendingRequests: cb?.max_pending_requests ?? DEFAULTS.circuitBreakers.maxPendingRequests,
      maxRequests: cb?.max_requests ?? DEFAULTS.circuitBreakers.maxRequests,
      maxRetries: cb?.max_retries ?? DEFAULTS.circuitBreakers.maxRetries,
      trackRemaining: cb?.track_remaining ?? DEFAULTS.circuitBreakers.trackRemaining,
    },
  }
}

function toHashPolicy(p: FileRoute['route']['hash_policy'][number]): M.HashPolicy {
  const terminal = p.terminal
  if (p.header) return { kind: 'header', name: p.header.header_name, terminal }
  if (p.cookie) return { kind: 'cookie', name: p.cookie.name, terminal }
  if (p.query_parameter) return { kind: 'query_parameter', name: p.query_parameter.name, terminal }
  return { kind: 'source_ip', terminal }
}
