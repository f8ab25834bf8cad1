// Least request as Envoy does it. Equal weights: the power of two random choices, keeping the
// endpoint with fewer requests in flight (cheaper than a full scan, and avoids herding). Unequal
// weights, or an active_request_bias set in the config: Envoy's EDF schedule over
// weight / (active requests + 1)^active_request_bias (bias 1, Envoy's default), each endpoint's
// weight taken again whenever it is picked, so a busy endpoint is picked less often but never drained.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates, randomIndex, withoutExcluded } from './candidates.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'
import { WeightedSchedule } from './weighted-schedule.ts'

export class LeastRequestLoadBalancer implements LoadBalancer {
  readonly policy = 'least_request' as const
  readonly #weighted: WeightedSchedule
  #members: readonly Endpoint[] | undefined
  #scheduled = false

  /** `activeRequestBias` configured (Envoy's least_request_lb_config): the EDF schedule even for equal weights, as Envoy now does. */
  constructor(
    private readonly random: () => number = Math.random,
    activeRequestBias?: number,
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {
    this.#weighted = new WeightedSchedule(leastRequestWeight(activeRequestBias ?? 1), random, activeRequestBias !== undefined, panic)
  }

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    // The request path: with equal weights, one identity check more than the two choices alone.
    if (endpoints !== this.#members) {
      this.#members = endpoints
      this.#scheduled = this.#weighted.applies(endpoints)
    }
    if (this.#scheduled) return this.#weighted.pick(endpoints, ctx, (usable) => this.#twoChoices(withoutExcluded(usable, ctx), ctx))
    return this.#twoChoices(candidates(endpoints, ctx, this.panic), ctx)
  }

  #twoChoices(list: readonly Endpoint[], ctx: LbContext | undefined): Endpoint | undefined {
    if (list.length <= 1) return list[0]
    const random = ctx?.random ?? this.random
    const first = randomIndex(random, list.length)
    // Draw the second from the others so the two choices are distinct.
    let second = randomIndex(random, list.length - 1)
    if (second >= first) second += 1
    const a = list[first] as Endpoint
    const b = list[second] as Endpoint
    return b.activeRequests < a.activeRequests ? b : a
  }
}

/** Envoy's LeastRequestLoadBalancer::hostWeight (bias 0: the plain weight, as round robin). */
export function leastRequestWeight(bias: number): (endpoint: Endpoint) => number {
  if (bias === 1) return (e) => e.weight / (e.activeRequests + 1)
  if (bias === 0) return (e) => e.weight
  return (e) => e.weight / Math.pow(e.activeRequests + 1, bias)
}
