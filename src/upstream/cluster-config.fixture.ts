// Test fixture: a complete ClusterConfig with Envoy's defaults, overridable field by field.

import type { ClusterConfig } from '../config/model.ts'

export function clusterConfig(overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    name: 'service1',
    type: 'static',
    lbPolicy: 'round_robin',
    ringHashMinimumRingSize: 1024,
    ringHashMaximumRingSize: 8_388_608,
    ringHashFunction: 'xx_hash',
    useHostnameForHashing: false,
    maglevTableSize: 65537,
    healthyPanicThreshold: 50,
    ignoreNewHostsUntilFirstHc: false,
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 5_000,
    initialFetchTimeoutMs: 5_000,
    dnsResolvers: [],
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [],
    healthCheck: undefined,
    outlierDetection: undefined,
    circuitBreakers: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false },
    ...overrides,
  }
}
