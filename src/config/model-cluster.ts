// The cluster part of the configuration model (model.ts re-exports it): a cluster's discovery,
// endpoints, load balancing, health checking, outlier detection and circuit breakers.

import type { UpstreamTransport } from '../runtime.ts'
import type { UpstreamTlsSources } from './model-tls.ts'

export type DnsLookupFamily = 'V4_ONLY' | 'V6_ONLY' | 'AUTO' | 'V4_PREFERRED' | 'ALL'
export type ClusterType = 'static' | 'strict_dns' | 'logical_dns'
export type LbPolicy = 'round_robin' | 'least_request' | 'random' | 'ring_hash' | 'maglev'

/**
 * `hostname`: the DNS name the address was resolved from (strict/logical DNS), shown in /clusters.
 * `weight`: Envoy's load_balancing_weight (absent = 1); a DNS entry's weight goes to every address it resolves to.
 * `priority`: Envoy's LocalityLbEndpoints.priority (absent = 0, the highest; at most 128), likewise.
 * `locality` / `localityWeight`: its LocalityLbEndpoints' locality and load_balancing_weight (absent = none).
 */
export type EndpointAddress = {
  readonly address: string
  readonly port: number
  readonly hostname?: string
  readonly weight?: number
  readonly priority?: number
  readonly locality?: Locality
  readonly localityWeight?: number
}

/** Envoy's Locality (region, zone, sub_zone; each '' when absent). */
export type Locality = { readonly region: string; readonly zone: string; readonly subZone: string }

export type ClusterConfig = {
  readonly name: string
  readonly type: ClusterType
  readonly lbPolicy: LbPolicy
  /** RING_HASH's points on the ring in all (Envoy's minimum_ring_size, default 1024). */
  readonly ringHashMinimumRingSize: number
  /** RING_HASH's cap on the points (Envoy's maximum_ring_size, default 8M). */
  readonly ringHashMaximumRingSize: number
  /** RING_HASH's hash of the points (Envoy's hash_function: XX_HASH, or MURMUR_HASH_2). */
  readonly ringHashFunction: 'xx_hash' | 'murmur_hash_2'
  /** RING_HASH and MAGLEV hash the endpoint's hostname instead of `address:port` (consistent_hashing_lb_config). */
  readonly useHostnameForHashing: boolean
  /** MAGLEV's lookup table size, a prime (Envoy's default 65537). */
  readonly maglevTableSize: number
  /** LEAST_REQUEST's active_request_bias when configured (Envoy then always balances by weight / (active + 1)^bias); absent = 1.0. */
  readonly activeRequestBias?: number
  /** Below this percentage of ready endpoints every balancer uses all of them (Envoy's healthy_panic_threshold, default 50; 0 = never). */
  readonly healthyPanicThreshold: number
  /**
   * Envoy's ignore_new_hosts_until_first_hc: with active health checks, an endpoint a DNS answer
   * adds is excluded (not balanced to, not counted in the panic share) until its first check ends.
   */
  readonly ignoreNewHostsUntilFirstHc: boolean
  /** Envoy's fail_traffic_on_panic: in panic, no endpoint is picked (503 UH) instead of every one. */
  readonly failTrafficOnPanic?: boolean
  /** Envoy's locality_weighted_lb_config: within a level, a locality by EDF over its effective weight, then the endpoint. */
  readonly localityWeightedLb?: boolean
  readonly connectTimeoutMs: number
  readonly dnsRefreshRateMs: number
  /** How long a listener routing here waits for this cluster's first discovery and health checks before it accepts anyway. */
  readonly initialFetchTimeoutMs: number
  /** `ip:port` servers for strict/logical DNS; empty = the system resolver configuration. */
  readonly dnsResolvers: readonly string[]
  /** Which record types DNS discovery asks for (Envoy's dns_lookup_family). */
  readonly dnsLookupFamily: DnsLookupFamily
  readonly endpoints: readonly EndpointAddress[]
  readonly healthCheck: HealthCheckConfig | undefined
  readonly outlierDetection: OutlierDetectionConfig | undefined
  readonly circuitBreakers: CircuitBreakersConfig
  /** transport_socket TLS and HTTP/2 as the upstream clients take them; absent = plain HTTP/1.1. */
  readonly transport?: UpstreamTransport
  /** Where the cluster's TLS CA and client certificate came from (admin /certs, config_dump). */
  readonly upstreamTls?: UpstreamTlsSources
}

export type HealthCheckConfig = {
  readonly path: string
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
  /** Status ranges [start, end) that count as healthy; default [[200, 300)]. */
  readonly expectedStatuses: readonly (readonly [number, number])[]
}

export type OutlierDetectionConfig = {
  readonly consecutive5xx: number
  readonly baseEjectionTimeMs: number
  readonly maxEjectionPercent: number
}

export type CircuitBreakersConfig = {
  readonly maxConnections: number
  readonly maxPendingRequests: number
  readonly maxRequests: number
  readonly maxRetries: number
  /** Publish `circuit_breakers.default.remaining_*` gauges (Envoy's track_remaining). */
  readonly trackRemaining: boolean
}
