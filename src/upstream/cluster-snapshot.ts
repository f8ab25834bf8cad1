// Read-only view of a cluster and its endpoints for the admin listener (/clusters, /config_dump).

export type EndpointSnapshot = {
  readonly address: string
  readonly port: number
  /** Envoy's health_flags: `healthy`, or any of `/failed_active_hc`, `/failed_outlier_check`, `/pending_active_hc`. */
  readonly healthFlags: string
  readonly weight: number
  /** Envoy's priority level, 0 the highest. */
  readonly priority: number
  /** Envoy's locality (region, zone, sub_zone; '' when absent). */
  readonly locality?: { readonly region: string; readonly zone: string; readonly subZone: string }
  readonly activeRequests: number
  readonly rqTotal: number
  readonly rqSuccess: number
  readonly rqError: number
  readonly rqTimeout: number
  readonly cxTotal: number
  readonly cxActive: number
  readonly cxConnectFail: number
  /** The DNS name the address was resolved from; '' for static endpoints. */
  readonly hostname: string
}

export type ClusterSnapshot = {
  readonly name: string
  readonly type: string
  readonly lbPolicy: string
  readonly circuitBreakers: {
    readonly maxConnections: number
    readonly maxPendingRequests: number
    readonly maxRequests: number
    readonly maxRetries: number
  }
  readonly endpoints: readonly EndpointSnapshot[]
}
