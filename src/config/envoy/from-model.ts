// The model written as an Envoy v3 bootstrap: what `edgeway convert --to envoy` prints and what
// `/config_dump` shows. It loads back through the Envoy front end; settings Envoy has no field
// for are listed in `dropped` instead of being written wrongly.

import { FAULT_TYPE, faultToEnvoy, runtimeToEnvoy } from './from-model-fault.ts'
import { hasFaults } from '../to-model-fault.ts'
import { isIP } from 'node:net'
import type * as M from '../model.ts'
import { clusterToEnvoy } from './from-model-cluster.ts'
import { headerMatcherToEnvoy, virtualHostToEnvoy } from './from-model-routes.ts'
import { seconds, socket } from './envoy-values.ts'

const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router'
const ZIPKIN_TYPE = 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig'
const STDOUT_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog'
const FILE_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog'

export type EnvoyBootstrap = { bootstrap: Record<string, unknown>; dropped: string[] }


export function modelToEnvoy(config: M.Config): EnvoyBootstrap {
  const dropped: string[] = []
  const clusters = config.clusters.map((c) => clusterToEnvoy(c))
  const collector = config.tracing && collectorCluster(config.tracing, config.clusters)
  if (collector?.cluster) clusters.push(collector.cluster)
  const bootstrap: Record<string, unknown> = {
    node: { id: config.node.id, cluster: config.node.cluster },
    static_resources: { listeners: config.listeners.map((l) => listenerToEnvoy(l, collector?.provider, dropped)), clusters },
  }
  if (config.runtime.layers.length) bootstrap.layered_runtime = runtimeToEnvoy(config.runtime)
  if (!config.node.id && !config.node.cluster) delete bootstrap.node
  if (config.admin) bootstrap.admin = { address: socket(config.admin.address, config.admin.port) }
  if (config.tracing) {
    const z = config.tracing.zipkin
    if (z.b3Headers !== 'multi') dropped.push(`tracing.zipkin.b3_headers: ${z.b3Headers}`)
  }
  return { bootstrap, dropped }
}

export function listenerToEnvoy(l: M.ListenerConfig, provider: Record<string, unknown> | undefined, dropped: string[]): Record<string, unknown> {
  const where = `listeners "${l.name}"`
  if (l.trustEnvoyHeaders) dropped.push(`${where}: trust_envoy_headers: true`)
  // Listener protocol settings (protocols helper) the Envoy writer does not spell yet.
  if (l.http3) dropped.push(`${where}: http3: true`)
  if (l.maxRequestBytes) dropped.push(`${where}: max_request_bytes: ${l.maxRequestBytes}`)
  if (l.serverName === undefined) dropped.push(`${where}: server_name: false`)
  if (l.accessLog.enabled && l.accessLog.format === 'json' && l.accessLog.jsonFormat === undefined) dropped.push(`${where}: access_log.format: json (written as Envoy's default text format)`)
  const hcm: Record<string, unknown> = {
    '@type': HCM_TYPE,
    stat_prefix: l.statPrefix,
    codec_type: l.codec.toUpperCase(),
    ...(l.websocket && { upgrade_configs: [{ upgrade_type: 'websocket' }] }),
    generate_request_id: l.generateRequestId,
    always_set_request_id_in_response: l.alwaysSetRequestIdInResponse,
    use_remote_address: l.useRemoteAddress,
    xff_num_trusted_hops: l.xffNumTrustedHops,
    ...(l.serverName !== undefined && { server_name: l.serverName }),
    max_request_headers_kb: Math.round(l.maxRequestHeadersBytes / 1024),
    normalize_path: l.normalizePath,
    merge_slashes: l.mergeSlashes,
    preserve_external_request_id: l.preserveExternalRequestId,
    ...(l.addUserAgent && { add_user_agent: true }),
    common_http_protocol_options: { idle_timeout: seconds(l.idleTimeoutMs), max_headers_count: l.maxRequestHeadersCount },
    ...(l.accessLog.enabled && { access_log: [accessLogToEnvoy(l.accessLog)] }),
    tracing: {
      random_sampling: { value: l.tracing.randomSampling },
      client_sampling: { value: l.tracing.clientSampling },
      overall_sampling: { value: l.tracing.overallSampling },
      ...(l.tracing.customTags.length && { custom_tags: l.tracing.customTags.map(customTagToEnvoy) }),
      ...(provider && { provider }),
    },
    route_config: { name: `${l.name}_route`, virtual_hosts: l.virtualHosts.map(virtualHostToEnvoy) },
    http_filters: [
      // Routes' own fault settings need the filter in the chain (Envoy), even with none of its own.
      ...(hasFaults(l) ? [{ name: 'envoy.filters.http.fault', typed_config: { '@type': FAULT_TYPE, ...(l.fault && faultToEnvoy(l.fault, headerMatcherToEnvoy)) } }] : []),
      { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } },
    ],
  }
  return {
    name: l.name,
    address: socket(l.address, l.port),
    traffic_direction: l.direction === 'egress' ? 'OUTBOUND' : 'INBOUND',
    per_connection_buffer_limit_bytes: l.retryBufferBytes,
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }], ...(l.tls && { transport_socket: tlsToEnvoy(l.tls) }) }],
  }
}

function customTagToEnvoy(t: M.CustomTag): Record<string, unknown> {
  if (t.kind === 'literal') return { tag: t.tag, literal: { value: t.value } }
  const source = { name: t.name, ...(t.defaultValue !== undefined && { default_value: t.defaultValue }) }
  return t.kind === 'environment' ? { tag: t.tag, environment: source } : { tag: t.tag, request_header: source }
}

/** Envoy names its collector by cluster: an existing cluster at the URL's address, else a new one. */
function collectorCluster(tracing: M.TracingConfig, clusters: readonly M.ClusterConfig[]) {
  const z = tracing.zipkin
  const url = new URL(z.url)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const existing = clusters.find((c) => c.endpoints.length === 1 && c.endpoints[0]!.address === host && c.endpoints[0]!.port === port)
  let name = existing?.name ?? 'zipkin'
  while (!existing && clusters.some((c) => c.name === name)) name = `${name}_collector`
  const provider = {
    name: 'envoy.tracers.zipkin',
    typed_config: {
      '@type': ZIPKIN_TYPE,
      collector_cluster: name,
      collector_endpoint: url.pathname,
      collector_endpoint_version: 'HTTP_JSON',
      shared_span_context: z.sharedSpanContext,
      trace_id_128bit: z.traceId128Bit,
    },
  }
  const cluster = existing
    ? undefined
    : {
        name,
        type: isIP(host) ? 'STATIC' : 'STRICT_DNS',
        connect_timeout: '1s',
        load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(host, port) } }] }] },
      }
  return { provider, cluster }
}

/** The listener's TLS as Envoy's DownstreamTlsContext, certificates inline (the model holds their PEM). */
function tlsToEnvoy(tls: M.DownstreamTlsConfig): Record<string, unknown> {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: {
        tls_certificates: tls.certificates.map((c) => ({
          certificate_chain: { inline_string: c.certificateChainPem },
          private_key: { inline_string: c.privateKeyPem },
          ...(c.serverNames.length && { server_names: [...c.serverNames] }),
        })),
        alpn_protocols: [...tls.alpnProtocols],
        tls_params: { tls_minimum_protocol_version: tls.minVersion, tls_maximum_protocol_version: tls.maxVersion },
        ...(tls.trustedCaPem !== undefined && { validation_context: { trusted_ca: { inline_string: tls.trustedCaPem } } }),
      },
      ...(tls.requireClientCertificate && { require_client_certificate: true }),
    },
  }
}

/** Envoy's stdout logger, or its file logger for a log written to a file. */
function accessLogToEnvoy(log: M.AccessLogConfig): Record<string, unknown> {
  if (log.path !== undefined) return { name: 'envoy.access_loggers.file', typed_config: { '@type': FILE_TYPE, path: log.path, ...logFormat(log) } }
  return { name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT_TYPE, ...logFormat(log) } }
}

/** A configured access-log format as Envoy's `log_format`; none for the default line. */
function logFormat(log: M.AccessLogConfig): Record<string, unknown> {
  const omit = log.omitEmptyValues ? { omit_empty_values: true } : {}
  if (log.textFormat !== undefined) return { log_format: { text_format_source: { inline_string: log.textFormat.endsWith("\n") ? log.textFormat : `${log.textFormat}\n` }, ...omit } }
  if (log.jsonFormat !== undefined) return { log_format: { json_format: log.jsonFormat, ...omit } }
  return {}
}
