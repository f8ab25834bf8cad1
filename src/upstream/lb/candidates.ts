// The endpoints a balancer may choose from: ready ones (all of them in panic, healthy-panic.ts),
// minus the excluded ones when any remain.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext } from '../load-balancer.ts'
import { inPanic, type HealthyPanic } from './healthy-panic.ts'

export function candidates(endpoints: readonly Endpoint[], ctx: LbContext | undefined, panic: HealthyPanic): readonly Endpoint[] {
  return withoutExcluded(hostsToUse(endpoints, ctx?.nowMs ?? Date.now(), panic), ctx)
}

/** `usable` minus the context's excluded endpoints, unless that leaves none. */
export function withoutExcluded(usable: readonly Endpoint[], ctx: LbContext | undefined): readonly Endpoint[] {
  const exclude = ctx?.exclude
  if (!exclude || exclude.size === 0) return usable
  const fresh = usable.filter((e) => !exclude.has(e))
  // Envoy's retry host predicates are best effort: a retry to the same endpoint beats no retry.
  return fresh.length > 0 ? fresh : usable
}

/**
 * What a pick balances over (Envoy's hostSourceToUse): the ready endpoints (Envoy's healthy
 * hosts), or in panic all of them, counted once per call. Excluded endpoints (pending_active_hc)
 * are not ready, and not in the total the panic share is taken of. The list itself when all are ready,
 * without a copy; panic is decided only when some endpoint is not ready.
 */
export function hostsToUse(endpoints: readonly Endpoint[], nowMs: number, panic: HealthyPanic): readonly Endpoint[] {
  // Usually every endpoint is ready: then the list itself, without a copy per request.
  let allReady = true
  for (let i = 0; i < endpoints.length; i++) {
    if (!endpoints[i]!.isReady(nowMs)) {
      allReady = false
      break
    }
  }
  if (allReady && endpoints.length > 0) return endpoints
  // Envoy's isHostSetInPanic takes the share of hosts() less excludedHosts() (pending_active_hc),
  // yet in panic balances over hosts() itself, excluded ones included: so is it here.
  const ready: Endpoint[] = []
  let excluded = 0
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i]!
    if (endpoint.isReady(nowMs)) ready.push(endpoint)
    else if (endpoint.pendingActiveHc) excluded++
  }
  const total = endpoints.length - excluded
  if (!(panic.decide ? panic.decide(ready.length, total) : inPanic(ready.length, total, panic.thresholdPercent))) return ready
  panic.onPanic()
  // Envoy's fail_traffic_on_panic: counted as a panic pick, then nothing to pick (503 UH).
  return panic.failTraffic ? NONE : endpoints
}

const NONE: readonly Endpoint[] = []

/** An index in [0, length) from a random source that may return 1 by mistake. */
export function randomIndex(random: () => number, length: number): number {
  return Math.min(length - 1, Math.floor(random() * length))
}
