// The load balancer interface; each policy lives in lb/ (built by lb/create-load-balancer.ts) and
// passes the shared contract suite in lb/load-balancer.contract.ts.

import type { LbPolicy } from '../config/model.ts'
import type { Endpoint } from './endpoint.ts'

export type LbContext = {
  /**
   * Endpoints to avoid, e.g. those a retry already tried (Envoy's `previous_hosts` predicate).
   * Best effort, as in Envoy: if every ready endpoint is excluded, an excluded one is picked
   * rather than failing the attempt.
   */
  readonly exclude?: ReadonlySet<Endpoint>
  /** Overrides the balancer's random source for this pick. */
  readonly random?: () => number
  /** Time for the readiness check (outlier ejections expire); defaults to Date.now(). */
  readonly nowMs?: number
  /** The request's 64-bit hash from the route's hash_policy (RING_HASH, MAGLEV); other policies ignore it. */
  readonly hash?: bigint
}

export interface LoadBalancer {
  readonly policy: LbPolicy
  /**
   * A ready endpoint; in panic (too few ready: lb/healthy-panic.ts) any endpoint. Undefined when
   * there is none to pick (the proxy answers 503 UH).
   */
  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined
}
