// Uniform random choice over the ready endpoints (all of them in panic).

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates, randomIndex } from './candidates.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'

export class RandomLoadBalancer implements LoadBalancer {
  readonly policy = 'random' as const

  constructor(
    private readonly random: () => number = Math.random,
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {}

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    const list = candidates(endpoints, ctx, this.panic)
    if (list.length === 0) return undefined
    return list[randomIndex(ctx?.random ?? this.random, list.length)]
  }
}
