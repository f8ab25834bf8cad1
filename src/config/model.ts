// The validated, defaulted configuration every other module reads. Produced only by
// src/config/load-config.ts from the YAML schema; fields carry units (`timeoutMs`) in code.

import type { FaultConfig } from './model-fault.ts'
import type { RuntimeConfig } from './model-runtime.ts'
import type { ClusterConfig } from './model-cluster.ts'
import type { DownstreamTlsConfig } from './model-tls.ts'

export type { CertificateDetails, DownstreamTlsConfig, TlsCertificateConfig, TlsVersion, UpstreamTlsSources } from './model-tls.ts'
export type { CircuitBreakersConfig, ClusterConfig, ClusterType, DnsLookupFamily, EndpointAddress, HealthCheckConfig, LbPolicy, Locality, OutlierDetectionConfig } from './model-cluster.ts'

export type Config = {
  /** Envoy's `--service-cluster` / `--service-node`; the CLI flags override the file. */
  readonly node: { readonly cluster: string; readonly id: string }
  readonly admin: AdminConfig | undefined
  readonly listeners: readonly ListenerConfig[]
  readonly clusters: readonly ClusterConfig[]
  readonly tracing: TracingConfig | undefined
  /** Envoy's layered_runtime: later layers override earlier ones; no layers = every key at its default. */
  readonly runtime: RuntimeConfig
  /** Envoy's dynamic_resources: the LDS / CDS files and what came from each (/config_dump tells them apart). */
  readonly dynamic?: DynamicResources
}

export type DynamicResources = {
  readonly lds?: { readonly path: string; readonly names: readonly string[] }
  readonly cds?: { readonly path: string; readonly names: readonly string[] }
}

export type AdminConfig = {
  readonly address: string
  readonly port: number
}

/** `ingress` listeners record SERVER spans, `egress` listeners CLIENT spans (Envoy's operation_name). */
export type TrafficDirection = 'ingress' | 'egress'

export type ListenerConfig = {
  readonly name: string
  readonly address: string
  readonly port: number
  /** Prefix of the listener's stats: `http.<statPrefix>.downstream_rq_total`. */
  readonly statPrefix: string
  readonly direction: TrafficDirection
  /** Value of the `server` response header; undefined removes it (Envoy's PASS_THROUGH is not offered). */
  readonly serverName: string | undefined
  readonly generateRequestId: boolean
  readonly alwaysSetRequestIdInResponse: boolean
  /** Append the peer address to x-forwarded-for and trust it as the client (Envoy's use_remote_address). */
  readonly useRemoteAddress: boolean
  readonly xffNumTrustedHops: number
  /** Keep client-sent `x-envoy-*` control headers (only for listeners that sit behind another proxy). */
  readonly trustEnvoyHeaders: boolean
  /**
   * Envoy's add_user_agent: upstream requests carry x-envoy-downstream-service-cluster (the node's
   * cluster, `--service-cluster`), x-envoy-downstream-service-node, and that cluster as user-agent when the client sent none.
   */
  readonly addUserAgent: boolean
  readonly maxRequestHeadersBytes: number
  /**
   * Header fields one request may carry (Envoy's max_headers_count); more get 431. Counted as the
   * runtime's Headers list them: repeats of one name arrive joined into one field (README limits).
   */
  readonly maxRequestHeadersCount: number
  /** Bodies larger than this get 413; 0 = no limit. */
  readonly maxRequestBytes: number
  /** Request bodies up to this size are buffered so a retry can replay them. */
  readonly retryBufferBytes: number
  readonly idleTimeoutMs: number
  /** RFC 3986 dot-segment removal before routing (Envoy's normalize_path). */
  readonly normalizePath: boolean
  /** Collapse `//` runs in the path before routing (Envoy's merge_slashes). */
  readonly mergeSlashes: boolean
  /** Keep an external client's x-request-id at an edge listener (Envoy's preserve_external_request_id). */
  readonly preserveExternalRequestId: boolean
  readonly accessLog: AccessLogConfig
  readonly tracing: ListenerTracingConfig
  /** TLS termination; undefined for a plain-text listener. */
  readonly tls: DownstreamTlsConfig | undefined
  /** Envoy's codec_type: `auto` serves HTTP/2 to ALPN h2 (TLS) and prior-knowledge h2c clients. */
  readonly codec: 'auto' | 'http1' | 'http2'
  /** Also serve HTTP/3 (QUIC on the same UDP port); TLS listeners only. */
  readonly http3: boolean
  /** WebSocket upgrades allowed on this listener's routes unless a route says otherwise. */
  readonly websocket: boolean
  /** The fault filter in this listener's request path; undefined = none (routes may still carry one). */
  readonly fault: FaultConfig | undefined
  readonly virtualHosts: readonly VirtualHostConfig[]
}

export type AccessLogConfig = {
  readonly enabled: boolean
  /** `text` without textFormat is Envoy's default line; `json` without jsonFormat is edgeway's JSON line. */
  readonly format: 'text' | 'json'
  /** Envoy command operators (text_format), checked at load. */
  readonly textFormat?: string
  /** Envoy's json_format dictionary, checked at load. */
  readonly jsonFormat?: Readonly<Record<string, unknown>>
  readonly omitEmptyValues: boolean
  /** Absolute path of the file the lines are appended to; absent = stdout. */
  readonly path?: string
}

export type ListenerTracingConfig = {
  /** Percentages 0-100, as in Envoy's HCM `tracing` block. */
  readonly randomSampling: number
  readonly clientSampling: number
  readonly overallSampling: number
  /** Envoy's HCM `tracing.custom_tags`: set on the request span and on every attempt span. */
  readonly customTags: readonly CustomTag[]
}

/** A tag whose value is fixed, read from the environment at start, or read from a request header. */
export type CustomTag =
  | { readonly tag: string; readonly kind: 'literal'; readonly value: string }
  | { readonly tag: string; readonly kind: 'environment'; readonly name: string; readonly defaultValue: string | undefined }
  | { readonly tag: string; readonly kind: 'request_header'; readonly name: string; readonly defaultValue: string | undefined }

export type HeaderToAdd = {
  readonly key: string
  /** May reference `%REQ(name)%`, `%DOWNSTREAM_REMOTE_ADDRESS%`, `%UPSTREAM_REMOTE_ADDRESS%`... */
  readonly value: string
  /** true appends to an existing value, false replaces it (Envoy's `append`). */
  readonly append: boolean
}

export type HeaderRules = {
  readonly requestHeadersToAdd: readonly HeaderToAdd[]
  readonly requestHeadersToRemove: readonly string[]
  readonly responseHeadersToAdd: readonly HeaderToAdd[]
  readonly responseHeadersToRemove: readonly string[]
}

export type VirtualHostConfig = HeaderRules & {
  readonly name: string
  /** Lower-cased; `*` alone, `*.suffix`, `prefix.*`, optionally with `:port` or `:*`. */
  readonly domains: readonly string[]
  readonly routes: readonly RouteConfig[]
  /** Route-level policy wins over this one (Envoy semantics). */
  readonly retryPolicy: RetryPolicyConfig | undefined
  /** Envoy's require_tls: plain-text requests get a 301 to https (external_only: unless internal). */
  readonly requireTls: 'none' | 'external_only' | 'all'
  /** Fault settings for this host's routes without their own, replacing the listener's (typed_per_filter_config). */
  readonly fault: FaultConfig | undefined
}

export type HeaderMatcher = {
  readonly name: string
  readonly invert: boolean
} & (
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'contains'; readonly value: string }
  | { readonly kind: 'regex'; readonly value: string }
  | { readonly kind: 'present'; readonly value: boolean }
)

export type RouteMatchConfig = {
  /** Exactly one of prefix, path, safeRegex is set. */
  readonly prefix?: string
  readonly path?: string
  readonly safeRegex?: string
  readonly caseSensitive: boolean
  readonly headers: readonly HeaderMatcher[]
}

export type WeightedCluster = { readonly name: string; readonly weight: number }

export type RouteConfig = HeaderRules & {
  readonly name: string | undefined
  readonly match: RouteMatchConfig
  /** Exactly one of cluster and weightedClusters is set. */
  readonly cluster: string | undefined
  readonly weightedClusters: readonly WeightedCluster[] | undefined
  readonly prefixRewrite: string | undefined
  readonly hostRewrite: string | undefined
  /** Whole-response budget (headers and body) including retries; 0 disables it. Envoy default 15 s. */
  readonly timeoutMs: number
  /** Longest silence between two upstream body reads (Envoy's per-route idle_timeout); 0 = none. */
  readonly idleTimeoutMs: number
  readonly retryPolicy: RetryPolicyConfig | undefined
  /** Span name override (Envoy's `decorator.operation`). */
  readonly operation: string | undefined
  /** Route-level upgrade_configs: overrides the listener's websocket setting when set. */
  readonly websocket: boolean | undefined
  /** What a RING_HASH or MAGLEV cluster hashes for this route; empty = a random endpoint. */
  readonly hashPolicy: readonly HashPolicy[]
  /** This route's fault settings, replacing the listener's (typed_per_filter_config). */
  readonly fault: FaultConfig | undefined
}

/** One of Envoy's route hash policies; values are combined in order, a terminal one that produced a value ends the list. */
export type HashPolicy = { readonly terminal: boolean } & (
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string }
  | { readonly kind: 'query_parameter'; readonly name: string }
  | { readonly kind: 'source_ip' }
)

export type RetryOn = '5xx' | 'gateway-error' | 'connect-failure' | 'reset' | 'retriable-status-codes' | 'retriable-4xx'

export type RetryPolicyConfig = {
  readonly retryOn: readonly RetryOn[]
  readonly numRetries: number
  /** 0 = the attempt may use the rest of the route timeout. */
  readonly perTryTimeoutMs: number
  readonly retriableStatusCodes: readonly number[]
  readonly backoff: { readonly baseIntervalMs: number; readonly maxIntervalMs: number }
}

export type TracingConfig = {
  readonly zipkin: {
    /** Full collector URL, e.g. http://127.0.0.1:9411/api/v2/spans. */
    readonly url: string
    readonly maxQueueSize: number
    readonly maxExportBatchSize: number
    readonly scheduledDelayMs: number
    readonly exportTimeoutMs: number
    /**
     * Envoy's ZipkinConfig `shared_span_context`: an ingress (SERVER) span reuses the span id its
     * caller sent, marked `shared`. Off (edgeway's default): it gets its own id, parent = the caller.
     */
    readonly sharedSpanContext: boolean
    /** B3 sent upstream: the x-b3-* multi headers (default), the single `b3` header, or both. */
    readonly b3Headers: 'multi' | 'single' | 'both'
    /** New root traces get 128-bit trace ids (Envoy's `trace_id_128bit`); 64-bit by default. */
    readonly traceId128Bit: boolean
  }
}
