// Envoy's RING_HASH: every endpoint owns many points on a 32-bit ring; a request's hash (from the
// route's hash_policy) picks the first point at or after it, so adding or removing one endpoint
// moves only the keys next to its points. Without a hash, a random point is used, as in Envoy.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates } from './candidates.ts'
import { hash32, sameEndpoints } from './hash.ts'

type Ring = { readonly points: Uint32Array; readonly owners: readonly Endpoint[] }

export class RingHashLoadBalancer implements LoadBalancer {
  readonly policy = 'ring_hash' as const
  #ring: Ring | undefined
  #source: readonly Endpoint[] = []

  /** `minimumRingSize`: Envoy's minimum_ring_size (default 1024), spread evenly over the endpoints. */
  constructor(
    private readonly random: () => number,
    private readonly minimumRingSize = 1024,
  ) {}

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    const list = candidates(endpoints, ctx)
    if (list.length === 0) return undefined
    // The ring holds every member: an endpoint failing a health check (or tried by a retry) hands
    // its keys to the next points along the ring, and nobody else's keys move.
    const ring = this.#ringFor(endpoints)
    const allowed = list.length === endpoints.length ? undefined : new Set(list)
    const hash = ctx?.hash ?? Math.floor((ctx?.random ?? this.random)() * 2 ** 32) >>> 0
    const start = firstAtOrAfter(ring.points, hash)
    for (let step = 0; step < ring.owners.length; step++) {
      const owner = ring.owners[(start + step) % ring.owners.length]!
      if (!allowed || allowed.has(owner)) return owner
    }
    return list[0]
  }

  /** Rebuilt only when membership changes (a DNS refresh that changed the answer). */
  #ringFor(list: readonly Endpoint[]): Ring {
    if (this.#ring && sameEndpoints(list, this.#source)) return this.#ring
    const perEndpoint = Math.ceil(this.minimumRingSize / list.length)
    const entries: [number, Endpoint][] = []
    for (const endpoint of list) for (let i = 0; i < perEndpoint; i++) entries.push([hash32(`${endpoint.key}_${i}`), endpoint])
    entries.sort((a, b) => a[0] - b[0] || (a[1].key < b[1].key ? -1 : 1))
    this.#ring = { points: Uint32Array.from(entries, (e) => e[0]), owners: entries.map((e) => e[1]) }
    this.#source = [...list]
    return this.#ring
  }
}

/** Index of the first point >= hash, wrapping to 0 past the end. */
function firstAtOrAfter(points: Uint32Array, hash: number): number {
  let low = 0
  let high = points.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (points[mid]! < hash) low = mid + 1
    else high = mid
  }
  return low === points.length ? 0 : low
}
