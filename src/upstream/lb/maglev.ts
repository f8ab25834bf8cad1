// Envoy's MAGLEV, entry for entry: a lookup table (65537 entries by default, a prime) filled by
// each ready endpoint's permutation in turn — offset xxHash64(key) % size, skip
// xxHash64(key, seed 1) % (size - 1) + 1, endpoints sorted by key, turns taken in proportion to
// load_balancing_weight — so a hash lands on the same endpoint as under Envoy, every endpoint owns
// its weight's share, and a membership change moves few entries. A request's hash indexes the table; without a hash, a random 64-bit value is used.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { hostsToUse } from './candidates.ts'
import { DEFAULT_PANIC, type HealthyPanic } from './healthy-panic.ts'
import { endpointHashKey, randomHash } from './hash.ts'
import { sameWeighted } from './weighted-schedule.ts'
import { xxHash64 } from './xxhash64.ts'

export const DEFAULT_MAGLEV_TABLE_SIZE = 65537
/** Envoy's chooseHost(hash, attempt) gives up after this many alternates for a retry. */
const MAX_RETRY_ATTEMPTS = 16
const MASK = 0xffffffffffffffffn

export type MaglevOptions = { readonly tableSize?: number; readonly useHostnameForHashing?: boolean }

export class MaglevLoadBalancer implements LoadBalancer {
  readonly policy = 'maglev' as const
  #table: Endpoint[] = []
  #source: readonly Endpoint[] = []
  #weights: number[] = []
  readonly #tableSize: number
  readonly #size: bigint
  readonly #useHostname: boolean

  constructor(
    private readonly random: () => number,
    options: MaglevOptions | number = {},
    private readonly panic: HealthyPanic = DEFAULT_PANIC,
  ) {
    const o = typeof options === 'number' ? { tableSize: options } : options
    this.#tableSize = o.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE
    this.#size = BigInt(this.#tableSize)
    this.#useHostname = o.useHostnameForHashing ?? false
  }

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    // Envoy builds the table from the healthy hosts only, all hosts in panic (a rebuild, not a skip, as Maglev needs).
    const ready = hostsToUse(endpoints, ctx?.nowMs ?? Date.now(), this.panic)
    if (ready.length === 0) return undefined
    const table = this.#tableFor(ready)
    const hash = ctx?.hash ?? randomHash(ctx?.random ?? this.random)
    const first = table[Number(hash % this.#size)]!
    const exclude = ctx?.exclude
    if (!exclude || exclude.size === 0 || !exclude.has(first)) return first
    // A retry: Envoy's alternate hash for attempt n, `hash ^ (~0 - n + 1)`.
    for (let attempt = 1n; attempt <= MAX_RETRY_ATTEMPTS; attempt++) {
      const other = table[Number((hash ^ ((MASK - attempt + 1n) & MASK)) % this.#size)]!
      if (!exclude.has(other)) return other
    }
    return ready.find((e) => !exclude.has(e)) ?? first
  }

  /** Rebuilt only when the ready set changes. */
  #tableFor(list: readonly Endpoint[]): Endpoint[] {
    if (this.#table.length && sameWeighted(list, this.#source, this.#weights)) return this.#table
    this.#table = buildMaglevTable(list, this.#tableSize, this.#useHostname)
    this.#source = [...list]
    this.#weights = list.map((e) => e.weight)
    return this.#table
  }
}

/**
 * Envoy's OriginalMaglevTable over normalised load_balancing_weights: in iteration k (from 1) an
 * endpoint takes its next free slot only once k × its weight reaches its target, which grows by
 * the largest weight each time it does; so the heaviest fills a slot every iteration, one of a
 * third its weight every third. With equal weights every endpoint fills one slot per iteration.
 */
export function buildMaglevTable(list: readonly Endpoint[], tableSize: number, useHostname: boolean): Endpoint[] {
  const size = BigInt(tableSize)
  let sum = 0
  for (const endpoint of list) sum += endpoint.weight
  // Sorted by hash key, as Envoy does, so the table depends on the set, not on DNS answer order.
  const sorted = list.map((endpoint) => ({ endpoint, key: endpointHashKey(endpoint, useHostname), weight: endpoint.weight / sum })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const maxWeight = sorted.reduce((max, e) => Math.max(max, e.weight), 0)
  const offsets = sorted.map((e) => Number(xxHash64(e.key) % size))
  const skips = sorted.map((e) => Number(xxHash64(e.key, 1n) % (size - 1n)) + 1)
  const next = new Array<number>(sorted.length).fill(0)
  const targets = new Array<number>(sorted.length).fill(0)
  const table = new Array<Endpoint | undefined>(tableSize)
  // offset + skip * next stays below 2^53 for any table size the config accepts (< 5,000,011).
  const permutation = (i: number) => (offsets[i]! + skips[i]! * next[i]!) % tableSize
  let filled = 0
  for (let iteration = 1; filled < tableSize; iteration++) {
    for (let i = 0; i < sorted.length && filled < tableSize; i++) {
      if (iteration * sorted[i]!.weight < targets[i]!) continue
      targets[i] = targets[i]! + maxWeight
      let slot = permutation(i)
      while (table[slot] !== undefined) {
        next[i]!++
        slot = permutation(i)
      }
      table[slot] = sorted[i]!.endpoint
      next[i]!++
      filled++
    }
  }
  return table as Endpoint[]
}
