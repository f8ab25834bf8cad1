// A cluster's shape in the config file: endpoints, balancing, DNS, health checks, outlier
// detection, circuit breakers, upstream TLS and HTTP/2.

import { z } from 'zod'
import { hostProblem, resolverProblem } from './address-checks.ts'
import { upstreamTls } from './tls-schema.ts'
import { int, lowerEnum, name, percent, positiveDuration, show } from './schema-primitives.ts'

/** Envoy's bound on one endpoint's weight and on their sum in a cluster (uint32). */
const MAX_WEIGHT = 4_294_967_295

const endpoint = z.strictObject({
  address: z.string().superRefine((text, ctx) => {
    const problem = hostProblem(text)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  }).describe('IP address or DNS name'),
  port: int(1, 65535),
  // Envoy's LbEndpoint.load_balancing_weight: a uint32 of at least 1; absent = 1.
  weight: int(1, MAX_WEIGHT, 'weight').optional(),
  // Envoy's LocalityLbEndpoints.priority: 0 (the default) is the highest; traffic spills to 1, 2 … as it loses health.
  priority: int(0, 128, 'priority').optional(),
  // Envoy's Locality of the endpoint's LocalityLbEndpoints: shown in /clusters, and the group locality weighting balances over.
  locality: z.strictObject({ region: z.string().optional(), zone: z.string().optional(), sub_zone: z.string().optional() }).optional(),
  // Envoy's LocalityLbEndpoints.load_balancing_weight, balanced by only with locality_weighted_lb_config (absent there = no load).
  locality_weight: int(1, MAX_WEIGHT, 'weight').optional(),
})

const healthCheck = z.strictObject({
  timeout: positiveDuration,
  interval: positiveDuration,
  unhealthy_threshold: int(1, 100).default(2),
  healthy_threshold: int(1, 100).default(1),
  http_health_check: z.strictObject({
    path: z.string().startsWith('/'),
    expected_statuses: z.array(z.strictObject({ start: int(100, 600, 'status'), end: int(101, 601, 'status') })).optional(),
  }),
})

export const cluster = z.strictObject({
  name,
  type: lowerEnum(['static', 'strict_dns', 'logical_dns']).default('static'),
  lb_policy: lowerEnum(['round_robin', 'least_request', 'random', 'ring_hash', 'maglev']).default('round_robin'),
  ring_hash_lb_config: z
    .strictObject({
      minimum_ring_size: int(1, 8_388_608).default(1024),
      maximum_ring_size: int(1, 8_388_608).default(8_388_608),
      hash_function: lowerEnum(['xx_hash', 'murmur_hash_2']).default('xx_hash'),
    })
    .refine((r) => r.minimum_ring_size <= r.maximum_ring_size, { error: 'minimum_ring_size is larger than maximum_ring_size (Envoy refuses it)' })
    .optional(),
  maglev_lb_config: z.strictObject({ table_size: int(2, 5_000_011).refine(isPrime, { error: 'the table size of maglev must be a prime number' }).default(65537) }).optional(),
  least_request_lb_config: z
    .strictObject({
      // Envoy's exponent in weight / (active requests + 1)^bias; set, it applies with equal weights too.
      active_request_bias: z.number({ error: (issue) => `expected a number of at least 0, got ${show(issue.input)}` }).min(0, { error: (issue) => `expected a number of at least 0, got ${show(issue.input)}` }).optional(),
    })
    .optional(),
  common_lb_config: z
    .strictObject({
      // Envoy's panic threshold: below this percentage of ready endpoints, balance over all of them (0 = never).
      healthy_panic_threshold: percent.optional(),
      // Envoy's: with active health checks, an endpoint a DNS answer adds stays out of balancing (and of the panic count) until its first check.
      ignore_new_hosts_until_first_hc: z.boolean().default(false),
      // Envoy's: in panic, pick no endpoint (503 UH) rather than every one.
      fail_traffic_on_panic: z.boolean().default(false),
      // Envoy's: within a priority level, pick a locality by EDF over locality_weight × its availability, then the endpoint.
      locality_weighted_lb_config: z.strictObject({}).optional(),
      consistent_hashing_lb_config: z.strictObject({ use_hostname_for_hashing: z.boolean().default(false) }).optional(),
    })
    .optional(),
  connect_timeout: positiveDuration.optional(),
  dns_refresh_rate: positiveDuration.optional(),
  initial_fetch_timeout: positiveDuration.optional(),
  dns_lookup_family: z.enum(['V4_ONLY', 'V6_ONLY', 'AUTO', 'V4_PREFERRED', 'ALL'], { error: (issue) => `expected one of V4_ONLY | V6_ONLY | AUTO | V4_PREFERRED | ALL, got ${show(issue.input)}` }).default('V4_ONLY'),
  dns_resolvers: z
    .array(
      z.string().superRefine((text, ctx) => {
        const problem = resolverProblem(text)
        if (problem) ctx.addIssue({ code: 'custom', message: problem })
      }).describe('"ip:port" or "[ipv6]:port"'),
    )
    .default([]),
  load_assignment: z.strictObject({
    cluster_name: z.string().optional(),
    endpoints: z
      .array(endpoint)
      .min(1, 'needs at least one endpoint')
      // Envoy refuses a cluster whose weights add up past uint32 (its balancers sum them).
      .refine((list) => list.reduce((sum, e) => sum + (e.weight ?? 1), 0) <= MAX_WEIGHT, { error: `the endpoints' weights add up to more than ${MAX_WEIGHT} (Envoy's limit)` }),
  }),
  health_checks: z.array(healthCheck).max(1, 'one HTTP health check per cluster is supported').default([]),
  outlier_detection: z
    .strictObject({
      consecutive_5xx: int(1, 1000).default(5),
      base_ejection_time: positiveDuration.optional(),
      max_ejection_percent: percent.default(10),
    })
    .optional(),
  circuit_breakers: z
    .strictObject({
      thresholds: z
        .array(
          z.strictObject({
            max_connections: int(1, 1_000_000).optional(),
            // 0 as in Envoy: a request that would wait for a connection overflows at once.
            max_pending_requests: int(0, 1_000_000).optional(),
            max_requests: int(1, 1_000_000).optional(),
            max_retries: int(0, 1_000_000).optional(),
            track_remaining: z.boolean().optional(),
          }),
        )
        .max(1, 'one threshold set (default priority) is supported'),
    })
    .optional(),
  /** Envoy's transport_socket UpstreamTlsContext, flattened (tls-schema.ts). */
  tls: upstreamTls.optional(),
  /** Envoy's cluster http2_protocol_options: HTTP/2 upstream (h2 over TLS, h2c without), with Envoy's ranges. */
  http2_protocol_options: z
    .strictObject({
      max_concurrent_streams: int(1, 2_147_483_647).optional(),
      initial_stream_window_size: int(65_535, 2_147_483_647).optional(),
      initial_connection_window_size: int(65_535, 2_147_483_647).optional(),
    })
    .optional(),
})

function isPrime(n: number): boolean {
  if (n < 2) return false
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return true
}
