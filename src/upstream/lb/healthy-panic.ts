// Envoy's panic threshold (LoadBalancerBase::isHostSetInPanic): when too few of a cluster's
// endpoints are ready, every balancer disregards health and balances over all of them, so a
// health check that fails every replica (or an ejection wave) does not take the cluster down.

import { DEFAULTS } from '../../config/defaults.ts'

/** Envoy's default healthy_panic_threshold, in percent. */
export const DEFAULT_HEALTHY_PANIC_THRESHOLD: number = DEFAULTS.healthyPanicThreshold

export type HealthyPanic = {
  /** Envoy's healthy_panic_threshold in percent (0 to 100); 0 disables panic mode. */
  readonly thresholdPercent: number
  /** Called once for every pick made in panic (cluster.<name>.lb_healthy_panic). */
  readonly onPanic: () => void
}

/** Envoy's default threshold, counting nowhere: what a balancer built without a cluster uses. */
export const DEFAULT_PANIC: HealthyPanic = { thresholdPercent: DEFAULT_HEALTHY_PANIC_THRESHOLD, onPanic: () => {} }

/**
 * True when `ready` of `total` endpoints puts the cluster in panic. As Envoy's
 * recalculatePerPriorityPanic: never when the threshold is 0, nor while the availability with
 * Envoy's overprovisioning factor (1.4) stays at 100 %; otherwise when the ready share is below
 * the threshold, which an empty cluster always is (a panic pick over nothing still finds nothing).
 */
export function inPanic(ready: number, total: number, thresholdPercent: number): boolean {
  if (thresholdPercent === 0) return false
  if (total > 0 && 140 * ready >= 100 * total) return false
  return 100 * ready < thresholdPercent * total || total === 0
}
