// The endpoints a balancer may choose from: ready ones, minus the excluded ones when any remain.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext } from '../load-balancer.ts'

export function candidates(endpoints: readonly Endpoint[], ctx: LbContext | undefined): readonly Endpoint[] {
  const ready = readyEndpoints(endpoints, ctx?.nowMs ?? Date.now())
  const exclude = ctx?.exclude
  if (!exclude || exclude.size === 0) return ready
  const fresh = ready.filter((e) => !exclude.has(e))
  // Envoy's retry host predicates are best effort: a retry to the same endpoint beats no retry.
  return fresh.length > 0 ? fresh : ready
}

/** The ready endpoints (Envoy's healthy hosts); the list itself when all are, without a copy. */
export function readyEndpoints(endpoints: readonly Endpoint[], nowMs: number): readonly Endpoint[] {
  // Usually every endpoint is ready: then the list itself, without a copy per request.
  let allReady = true
  for (let i = 0; i < endpoints.length; i++) {
    if (!endpoints[i]!.isReady(nowMs)) {
      allReady = false
      break
    }
  }
  return allReady ? endpoints : endpoints.filter((e) => e.isReady(nowMs))
}

/** An index in [0, length) from a random source that may return 1 by mistake. */
export function randomIndex(random: () => number, length: number): number {
  return Math.min(length - 1, Math.floor(random() * length))
}
