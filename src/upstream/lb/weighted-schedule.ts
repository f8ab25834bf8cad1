// What Envoy's EdfLoadBalancerBase does for ROUND_ROBIN and LEAST_REQUEST: when the cluster's
// endpoints do not all weigh the same, picks come from an EDF schedule over the ready endpoints
// (rebuilt when that set or a weight changes, seeded with a random number of picks as Envoy's
// is); otherwise the balancer's own unweighted pick runs, at no extra cost but one identity check.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext } from '../load-balancer.ts'
import { hostsToUse } from './candidates.ts'
import { EdfScheduler } from './edf-scheduler.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'

export class WeightedSchedule {
  /** The member list last seen, and whether its weights differ (Envoy's hostWeightsAreEqual, negated). */
  #members: readonly Endpoint[] | undefined
  #unequal = false
  #scheduler: EdfScheduler<Endpoint> | undefined
  #source: readonly Endpoint[] = []
  #weights: number[] = []
  /** Envoy's seed_: drawn once, the number of picks every rebuilt schedule starts after. */
  #seed: number | undefined

  /** `always`: schedule even equal weights (least request with a configured active_request_bias). */
  constructor(
    private readonly weightOf: (endpoint: Endpoint) => number,
    private readonly random: () => number,
    private readonly always = false,
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {}

  /**
   * True when `endpoints` (the cluster's member list: a new array whenever membership or a weight
   * changes) holds unequal weights; then pick() is the balancer's pick.
   */
  applies(endpoints: readonly Endpoint[]): boolean {
    if (endpoints !== this.#members) {
      this.#members = endpoints
      this.#unequal = this.always || !equalWeights(endpoints)
    }
    return this.#unequal
  }

  /**
   * An EDF pick over the ready endpoints (all of them in panic, over which Envoy keeps a schedule
   * of its own); `fallback` (the unweighted pick, over the same list: panic is counted once) when
   * those happen to weigh the same, as Envoy skips the scheduler then. A retry's excluded endpoints are
   * passed over for the next picks of the schedule (at most one per ready endpoint, Envoy's
   * host-selection retries), then any ready endpoint not excluded; all excluded, the first pick.
   */
  pick(endpoints: readonly Endpoint[], ctx: LbContext | undefined, fallback: (usable: readonly Endpoint[]) => Endpoint | undefined): Endpoint | undefined {
    const ready = hostsToUse(endpoints, ctx?.nowMs ?? Date.now(), this.panic)
    if (ready.length <= 1) return ready[0]
    const scheduler = this.#schedulerFor(ready)
    if (!scheduler) return fallback(ready)
    const first = scheduler.pickAndAdd(this.weightOf)!
    const exclude = ctx?.exclude
    if (!exclude || exclude.size === 0 || !exclude.has(first)) return first
    for (let i = 1; i < ready.length; i++) {
      const next = scheduler.pickAndAdd(this.weightOf)!
      if (!exclude.has(next)) return next
    }
    return ready.find((e) => !exclude.has(e)) ?? first
  }

  /** Envoy's seed_: one random draw (on first use), shared by the schedules and round robin's start. */
  seed(): number {
    // So that proxies started together do not walk the same schedule (or rotation) in step.
    return (this.#seed ??= Math.floor(this.random() * 2 ** 32) >>> 0)
  }

  #schedulerFor(ready: readonly Endpoint[]): EdfScheduler<Endpoint> | undefined {
    if (sameWeighted(ready, this.#source, this.#weights)) return this.#scheduler
    this.#source = [...ready]
    this.#weights = ready.map((e) => e.weight)
    this.#scheduler = !this.always && equalWeights(ready) ? undefined : EdfScheduler.createWithPicks(ready, this.weightOf, this.seed())
    return this.#scheduler
  }
}

export function equalWeights(endpoints: readonly Endpoint[]): boolean {
  for (let i = 1; i < endpoints.length; i++) if (endpoints[i]!.weight !== endpoints[0]!.weight) return false
  return true
}

/** Same endpoint objects in the same order, each with the weight it had then. */
export function sameWeighted(list: readonly Endpoint[], source: readonly Endpoint[], weights: readonly number[]): boolean {
  if (list.length !== source.length) return false
  for (let i = 0; i < list.length; i++) if (list[i] !== source[i] || list[i]!.weight !== weights[i]) return false
  return true
}
