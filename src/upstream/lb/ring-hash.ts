// Envoy's RING_HASH, point for point: every ready endpoint owns points on a 64-bit ring at
// xxHash64(`address:port_i`) (or its hostname with use_hostname_for_hashing), as many as Envoy's
// scale gives its share of the load_balancing_weights; a request's hash picks the first point at or after it (wrapping), found by
// Envoy's ketama search. So a key reaches the same endpoint under edgeway as under Envoy, and a
// membership change moves only the keys next to the points that came or went. Without a hash, a
// random 64-bit value is used, as in Envoy.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { hostsToUse } from './candidates.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'
import { endpointHashKey, randomHash } from './hash.ts'
import { murmurHash2 } from './murmur-hash2.ts'
import { sameWeighted } from './weighted-schedule.ts'
import { xxHash64 } from './xxhash64.ts'

export type RingHashOptions = {
  /** Envoy's minimum_ring_size (default 1024) and maximum_ring_size (default 8M). */
  readonly minimumRingSize?: number
  readonly maximumRingSize?: number
  /** Envoy's hash_function for the ring points (request hashes are xxHash64 either way). */
  readonly hashFunction?: 'xx_hash' | 'murmur_hash_2'
  readonly useHostnameForHashing?: boolean
}

/** The points also as high and low 32-bit halves: the per-request search then compares numbers, not BigInts. */
type Ring = { readonly points: BigUint64Array; readonly high: Uint32Array; readonly low: Uint32Array; readonly owners: readonly Endpoint[] }

export class RingHashLoadBalancer implements LoadBalancer {
  readonly policy = 'ring_hash' as const
  #ring: Ring | undefined
  #source: readonly Endpoint[] = []
  #weights: number[] = []
  readonly #options: Required<RingHashOptions>

  constructor(
    private readonly random: () => number,
    options: RingHashOptions | number = {},
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {
    const o = typeof options === 'number' ? { minimumRingSize: options } : options
    this.#options = { minimumRingSize: 1024, maximumRingSize: 8_388_608, hashFunction: 'xx_hash', useHostnameForHashing: false, ...o }
  }

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    // Envoy builds the ring from the healthy hosts only (all hosts in panic, thread_aware_lb_impl.cc):
    // its scale (points per endpoint) depends on how many there are, so skipping an unhealthy
    // endpoint's points would not be the same ring.
    const ready = hostsToUse(endpoints, ctx?.nowMs ?? Date.now(), this.panic)
    if (ready.length === 0) return undefined
    const ring = this.#ringFor(ready)
    const hash = ctx?.hash ?? randomHash(ctx?.random ?? this.random)
    const start = ketamaIndex(ring, Number(hash >> 32n), Number(hash & 0xffffffffn))
    const exclude = ctx?.exclude
    if (!exclude || exclude.size === 0) return ring.owners[start]
    // A retry walks on along the ring, as Envoy's chooseHost(hash, attempt) does (midp + attempt).
    for (let step = 0; step < ring.owners.length; step++) {
      const owner = ring.owners[(start + step) % ring.owners.length]!
      if (!exclude.has(owner)) return owner
    }
    return ring.owners[start]
  }

  /** Rebuilt only when the ready set changes (health, ejection, a DNS answer that changed). */
  #ringFor(list: readonly Endpoint[]): Ring {
    if (this.#ring && sameWeighted(list, this.#source, this.#weights)) return this.#ring
    this.#ring = buildRing(list, this.#options)
    this.#source = [...list]
    this.#weights = list.map((e) => e.weight)
    return this.#ring
  }
}

/** Envoy's RingHashLoadBalancer::Ring constructor over normalised load_balancing_weights. */
export function buildRing(list: readonly Endpoint[], o: Required<RingHashOptions>): Ring {
  // Envoy's normalised weights (weight / sum of weights, normalizeHostWeights) and its scale, in
  // the same double arithmetic, so the point counts match Envoy's even when they are not whole
  // numbers: the least weighted endpoint gets a whole number of points, the others what falls.
  let sum = 0
  for (const endpoint of list) sum += endpoint.weight
  const weights = list.map((e) => e.weight / sum)
  const minWeight = weights.reduce((min, w) => Math.min(min, w), 1)
  const scale = Math.min(Math.ceil(minWeight * o.minimumRingSize) / minWeight, o.maximumRingSize)
  const hash = o.hashFunction === 'murmur_hash_2' ? murmurHash2 : (key: string) => xxHash64(key)
  const entries: { hash: bigint; owner: Endpoint }[] = []
  let current = 0
  let target = 0
  for (const [index, endpoint] of list.entries()) {
    const key = endpointHashKey(endpoint, o.useHostnameForHashing)
    target += scale * weights[index]!
    for (let i = 0; current < target; i++, current++) entries.push({ hash: hash(`${key}_${i}`), owner: endpoint })
  }
  entries.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
  const points = BigUint64Array.from(entries, (e) => e.hash)
  return {
    points,
    high: Uint32Array.from(points, (p) => Number(p >> 32n)),
    low: Uint32Array.from(points, (p) => Number(p & 0xffffffffn)),
    owners: entries.map((e) => e.owner),
  }
}

/** Envoy's port of ketama_get_server: the first point >= hash, wrapping to 0 past the last one. */
function ketamaIndex(ring: Ring, hHigh: number, hLow: number): number {
  const size = ring.owners.length
  let low = 0
  let high = size
  for (;;) {
    const mid = Math.trunc((low + high) / 2)
    if (mid === size) return 0
    // h <= points[mid] && h > points[mid - 1] (0 before the first), Envoy's test, on halves.
    const vsMid = compare(hHigh, hLow, ring.high[mid]!, ring.low[mid]!)
    const aboveBefore = mid === 0 ? hHigh !== 0 || hLow !== 0 : compare(hHigh, hLow, ring.high[mid - 1]!, ring.low[mid - 1]!) > 0
    if (vsMid <= 0 && aboveBefore) return mid
    if (vsMid > 0) low = mid + 1
    else high = mid - 1
    if (low > high) return 0
  }
}

function compare(aHigh: number, aLow: number, bHigh: number, bLow: number): number {
  return aHigh !== bHigh ? aHigh - bHigh : aLow - bLow
}
