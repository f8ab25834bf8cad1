// Round robin over the ready endpoints, Envoy's default policy and the one the front proxy uses,
// starting at a random index as Envoy's does (its seed_, drawn from the injected random source).
// Equal weights (the usual case): a plain rotation. Unequal weights: Envoy's EDF schedule over
// load_balancing_weight (weighted-schedule.ts), so a 3:1 pair gets 3 picks of 4 and 1 of 4.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates, withoutExcluded } from './candidates.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'
import { WeightedSchedule } from './weighted-schedule.ts'

export class RoundRobinLoadBalancer implements LoadBalancer {
  readonly policy = 'round_robin' as const
  #next = 0
  readonly #weighted: WeightedSchedule
  /** The member list last seen; whether its weights differ is asked only when it changes. */
  #members: readonly Endpoint[] | undefined
  #unequal = false

  constructor(
    random: () => number = Math.random,
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {
    this.#weighted = new WeightedSchedule((e) => e.weight, random, false, panic)
    // Envoy starts the rotation at its seed_ (rr_indexes_), not at 0, so that proxies started
    // together (a fleet restarted at once) do not all send their first requests to one endpoint.
    // Kept below 2^31 so the counter stays a small integer (a double's modulo costs a few ns a pick).
    this.#next = this.#weighted.seed() & 0x7fffffff
  }

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    // The request path: with equal weights, one identity check more than the plain rotation.
    if (endpoints !== this.#members) {
      this.#members = endpoints
      this.#unequal = this.#weighted.applies(endpoints)
    }
    if (this.#unequal) return this.#weighted.pick(endpoints, ctx, (usable) => this.#rotate(withoutExcluded(usable, ctx)))
    return this.#rotate(candidates(endpoints, ctx, this.panic))
  }

  #rotate(list: readonly Endpoint[]): Endpoint | undefined {
    if (list.length === 0) return undefined
    // The counter is shared across membership changes: a refresh shifts the rotation, it does not restart it.
    const endpoint = list[this.#next % list.length]
    this.#next = (this.#next + 1) % Number.MAX_SAFE_INTEGER
    return endpoint
  }
}
