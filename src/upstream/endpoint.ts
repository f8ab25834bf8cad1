// One upstream endpoint (ip:port) of a cluster: its health state and the counters /clusters shows.
// DNS refreshes keep the same Endpoint object while its address stays in the answer, so
// activeRequests and counters survive a refresh.

import type { Locality } from '../config/model.ts'
import type { EndpointSnapshot } from './cluster-snapshot.ts'

/** No locality given: Envoy's empty Locality. */
export const NO_LOCALITY: Locality = Object.freeze({ region: '', zone: '', subZone: '' })

export class Endpoint {
  readonly key: string
  /** Requests in flight on this endpoint; the proxy increments/decrements around each attempt. */
  activeRequests = 0
  /** Set by the health checker; true from birth when the cluster has health checks (Envoy's initial FAILED_ACTIVE_HC). */
  failedActiveHc = false
  /**
   * Envoy's PENDING_ACTIVE_HC: added by a DNS answer to a cluster with ignore_new_hosts_until_first_hc,
   * its first check not yet over. Always with failedActiveHc, so never ready; the balancers also
   * leave it out of the total their panic share is taken of (lb/candidates.ts).
   */
  pendingActiveHc = false
  /** Outlier ejection end; 0 = not ejected. */
  ejectedUntilMs = 0

  rqTotal = 0
  rqSuccess = 0
  rqError = 0
  rqTimeout = 0
  /** Connections, counted by the upstream client through endpoint-connections.ts. */
  cxTotal = 0
  cxActive = 0
  cxConnectFail = 0

  constructor(
    readonly address: string,
    readonly port: number,
    /** The DNS name this address came from; '' for a static endpoint (Envoy's hostname). */
    readonly hostname = '',
    /**
     * Envoy's load_balancing_weight (1 to 2^32-1). Written only by the cluster's membership update
     * (a reload may change it while the endpoint keeps its state); balancers notice the change
     * because that update also replaces the member list.
     */
    public weight = 1,
    /** Envoy's priority level (0 = highest); written, like weight, only by the membership update. */
    public priority = 0,
    /** Its LocalityLbEndpoints' locality and load_balancing_weight (0 = none): written like weight. */
    public locality: Locality = NO_LOCALITY,
    public localityWeight = 0,
  ) {
    this.key = endpointKey(address, port)
  }

  isEjected(nowMs: number): boolean {
    return this.ejectedUntilMs > nowMs
  }

  /** Eligible for new attempts: passes active health checks and is not ejected. */
  isReady(nowMs: number): boolean {
    return !this.failedActiveHc && !this.isEjected(nowMs)
  }

  snapshot(nowMs: number): EndpointSnapshot {
    return {
      address: this.address,
      port: this.port,
      healthFlags: healthFlags(this, nowMs),
      weight: this.weight,
      priority: this.priority,
      ...(this.locality !== NO_LOCALITY && { locality: this.locality }),
      activeRequests: this.activeRequests,
      rqTotal: this.rqTotal,
      rqSuccess: this.rqSuccess,
      rqError: this.rqError,
      rqTimeout: this.rqTimeout,
      cxTotal: this.cxTotal,
      cxActive: this.cxActive,
      cxConnectFail: this.cxConnectFail,
      hostname: this.hostname,
    }
  }
}

/**
 * Joined, not templated: on V8 a concatenation of 13 characters or more is a ConsString, and once
 * flattened this one stays a ConsString for its endpoint's life (a full GC does not shortcut it). As
 * the upstream_address and peer.address tags it reached every attempt span, so JSON.stringify's fast
 * path refused nearly every span part on Deno (the trap Runtime.sequentialStrings is about). Made
 * once per endpoint, so the join costs Bun nothing a request.
 */
export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? ['[', address, ']:', port].join('') : [address, ':', port].join('')
}

function healthFlags(endpoint: Endpoint, nowMs: number): string {
  let flags = ''
  if (endpoint.failedActiveHc) flags += '/failed_active_hc'
  if (endpoint.isEjected(nowMs)) flags += '/failed_outlier_check'
  // After the failures, as Envoy's healthFlagsToString orders them.
  if (endpoint.pendingActiveHc) flags += '/pending_active_hc'
  return flags || 'healthy'
}

/** Same region, zone and sub_zone. */
export function sameLocality(a: Locality, b: Locality): boolean {
  return a === b || (a.region === b.region && a.zone === b.zone && a.subZone === b.subZone)
}
