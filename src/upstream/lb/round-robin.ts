// Round robin over the ready endpoints, Envoy's default policy and the one the front proxy uses.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates } from './candidates.ts'

export class RoundRobinLoadBalancer implements LoadBalancer {
  readonly policy = 'round_robin' as const
  #next = 0

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    const list = candidates(endpoints, ctx)
    if (list.length === 0) return undefined
    // The counter is shared across membership changes: a refresh shifts the rotation, it does not restart it.
    const endpoint = list[this.#next % list.length]
    this.#next = (this.#next + 1) % Number.MAX_SAFE_INTEGER
    return endpoint
  }
}
