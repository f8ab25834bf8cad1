// Envoy's panic threshold (LoadBalancerBase::isHostSetInPanic): when too few of a cluster's
// endpoints are ready, every balancer disregards health and balances over all of them, so a
// health check that fails every replica (or an ejection wave) does not take the cluster down.
// With priority levels (priority-load.ts) each level is judged on its own, unless the levels
// together are fully available.

import { DEFAULTS } from '../../config/defaults.ts'

/** Envoy's default healthy_panic_threshold, in percent. */
export const DEFAULT_HEALTHY_PANIC_THRESHOLD: number = DEFAULTS.healthyPanicThreshold

export type HealthyPanic = {
  /** Envoy's healthy_panic_threshold in percent (0 to 100); 0 disables panic mode. */
  readonly thresholdPercent: number
  /** Called once for every pick made in panic (cluster.<name>.lb_healthy_panic). */
  readonly onPanic: () => void
  /** Envoy's fail_traffic_on_panic: a pick in panic finds no endpoint (503 UH) instead of all of them. */
  readonly failTraffic?: boolean
  /**
   * Whether `ready` of `total` endpoints are in panic. Absent: inPanic() over this one list (a
   * cluster of one priority level); a level of several is told by its priority set instead.
   */
  readonly decide?: (ready: number, total: number) => boolean
}

/** Envoy's default threshold, counting nowhere: what a balancer built without a cluster uses. */
export const DEFAULT_PANIC: HealthyPanic = { thresholdPercent: DEFAULT_HEALTHY_PANIC_THRESHOLD, onPanic: () => {} }

/**
 * True when `ready` of `total` endpoints puts the cluster in panic. As Envoy's
 * recalculatePerPriorityPanic for one level: never while the availability with Envoy's
 * overprovisioning factor (1.4) stays at 100 %; otherwise as levelInPanic().
 */
export function inPanic(ready: number, total: number, thresholdPercent: number): boolean {
  if (total > 0 && 140 * ready >= 100 * total) return false
  return levelInPanic(ready, total, thresholdPercent)
}

/**
 * Envoy's isHostSetInPanic for one priority level: the ready share is below the threshold, which
 * an empty level always is (a panic pick over nothing still finds nothing); never at threshold 0.
 * `total` leaves out excluded endpoints (pending_active_hc), as Envoy's hosts() - excludedHosts().
 */
export function levelInPanic(ready: number, total: number, thresholdPercent: number): boolean {
  if (thresholdPercent === 0) return false
  return 100 * ready < thresholdPercent * total || total === 0
}
