// How Envoy shares a cluster's traffic among its priority levels (LoadBalancerBase:
// recalculatePerPriorityState, recalculatePerPriorityPanic, recalculateLoadInTotalPanic): each
// level's health is min(100, 1.4 × its ready share), in whole percents; P0 takes as much of the
// load as its health allows and the rest spills to P1, P2 …, scaled up when the levels together
// are under 100. Computed when membership or health changes, never per pick.

import { levelInPanic } from './healthy-panic.ts'

/** Envoy's default overprovisioning factor, in percent (it keeps 140, not 1.4). */
const OVERPROVISIONING_FACTOR = 140

/** Per level, what the load is computed from; written in place by the priority set. */
export type LevelCounts = {
  /** Ready endpoints (Envoy's healthyHosts()). */
  readonly ready: ArrayLike<number>
  /** Endpoints less the excluded ones (pending_active_hc): Envoy's hosts() - excludedHosts(). */
  readonly counted: ArrayLike<number>
  /** All endpoints, excluded ones too: what total panic shares the load by. */
  readonly hosts: ArrayLike<number>
}

/**
 * Writes each level's share of the load (whole percents summing to 100) into `load` and whether
 * it is in panic into `panic`. `previous` loads are what Envoy leaves in place when no level has
 * any health, at threshold 0 (then P0 takes everything, and finds nothing to pick).
 */
export function priorityLoads(levels: number, counts: LevelCounts, thresholdPercent: number, load: Uint8Array, panic: Uint8Array): void {
  let sum = 0
  // Health first into `load`, then overwritten by the share: no scratch array.
  for (let i = 0; i < levels; i++) {
    const counted = counts.counted[i]!
    const health = counted > 0 ? Math.min(100, Math.floor((OVERPROVISIONING_FACTOR * counts.ready[i]!) / counted)) : 0
    load[i] = health
    sum += health
  }
  const total = Math.min(100, sum)
  if (total > 0) {
    // distributeLoad: each level its health scaled to the total, while load remains; rounding's
    // remainder to the first level with any health.
    let remaining = 100
    let first = -1
    for (let i = 0; i < levels; i++) {
      const health = load[i]!
      if (first < 0 && health > 0) first = i
      const share = Math.min(remaining, Math.floor((health * 100) / total))
      load[i] = share
      remaining -= share
    }
    load[first] = load[first]! + remaining
  } else if (thresholdPercent === 0) {
    load.fill(0, 0, levels)
    load[0] = 100
  }
  // Never panic while the levels together are fully available, whatever one level's share.
  let all = true
  for (let i = 0; i < levels; i++) {
    panic[i] = total === 100 ? 0 : levelInPanic(counts.ready[i]!, counts.counted[i]!, thresholdPercent) ? 1 : 0
    if (panic[i] === 0) all = false
  }
  if (all) loadInTotalPanic(levels, counts.hosts, load)
}

/** recalculateLoadInTotalPanic: every level in panic, so shares follow endpoint counts, health aside. */
function loadInTotalPanic(levels: number, hosts: ArrayLike<number>, load: Uint8Array): void {
  let all = 0
  for (let i = 0; i < levels; i++) all += hosts[i]!
  load.fill(0, 0, levels)
  if (all === 0) {
    load[0] = 100
    return
  }
  let remaining = 100
  let first = -1
  for (let i = 0; i < levels; i++) {
    if (first < 0 && hosts[i]! > 0) first = i
    const share = Math.floor((100 * hosts[i]!) / all)
    load[i] = share
    remaining -= share
  }
  load[first] = load[first]! + remaining
}

/** Envoy's choosePriority: `roll` in 1..100 (hash % 100 + 1) lands in the level whose cumulative load reaches it. */
export function choosePriority(roll: number, levels: number, load: Uint8Array): number {
  let cumulative = 0
  for (let i = 0; i < levels; i++) {
    cumulative += load[i]!
    if (roll <= cumulative) return i
  }
  return 0
}
