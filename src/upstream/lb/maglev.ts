// Envoy's MAGLEV, entry for entry: a lookup table (65537 entries by default, a prime) filled by
// each ready endpoint's permutation in turn — offset xxHash64(key) % size, skip
// xxHash64(key, seed 1) % (size - 1) + 1, endpoints sorted by key — so a hash lands on the same
// endpoint as under Envoy, every endpoint owns an equal share, and a membership change moves few
// entries. A request's hash indexes the table; without a hash, a random 64-bit value is used.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { readyEndpoints } from './candidates.ts'
import { endpointHashKey, randomHash, sameEndpoints } from './hash.ts'
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
  readonly #tableSize: number
  readonly #size: bigint
  readonly #useHostname: boolean

  constructor(
    private readonly random: () => number,
    options: MaglevOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { tableSize: options } : options
    this.#tableSize = o.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE
    this.#size = BigInt(this.#tableSize)
    this.#useHostname = o.useHostnameForHashing ?? false
  }

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    // Envoy builds the table from the healthy hosts only (a rebuild, not a skip, as Maglev needs).
    const ready = readyEndpoints(endpoints, ctx?.nowMs ?? Date.now())
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
    if (this.#table.length && sameEndpoints(list, this.#source)) return this.#table
    this.#table = buildMaglevTable(list, this.#tableSize, this.#useHostname)
    this.#source = [...list]
    return this.#table
  }
}

/** Envoy's OriginalMaglevTable with every endpoint weighing 1 (each fills one entry per round). */
export function buildMaglevTable(list: readonly Endpoint[], tableSize: number, useHostname: boolean): Endpoint[] {
  const size = BigInt(tableSize)
  // Sorted by hash key, as Envoy does, so the table depends on the set, not on DNS answer order.
  const sorted = list.map((endpoint) => ({ endpoint, key: endpointHashKey(endpoint, useHostname) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const offsets = sorted.map((e) => Number(xxHash64(e.key) % size))
  const skips = sorted.map((e) => Number(xxHash64(e.key, 1n) % (size - 1n)) + 1)
  const next = new Array<number>(sorted.length).fill(0)
  const table = new Array<Endpoint | undefined>(tableSize)
  // offset + skip * next stays below 2^53 for any table size the config accepts (< 5,000,011).
  const permutation = (i: number) => (offsets[i]! + skips[i]! * next[i]!) % tableSize
  let filled = 0
  while (filled < tableSize) {
    for (let i = 0; i < sorted.length && filled < tableSize; i++) {
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
