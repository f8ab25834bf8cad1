// Uniform random choice over the ready endpoints.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates, randomIndex } from './candidates.ts'

export class RandomLoadBalancer implements LoadBalancer {
  readonly policy = 'random' as const

  constructor(private readonly random: () => number = Math.random) {}

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    const list = candidates(endpoints, ctx)
    if (list.length === 0) return undefined
    return list[randomIndex(ctx?.random ?? this.random, list.length)]
  }
}
