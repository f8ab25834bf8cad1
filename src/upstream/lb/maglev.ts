// Envoy's MAGLEV: a lookup table (65537 entries by default, a prime) filled by each endpoint's own
// permutation in turn, so every endpoint owns an equal share and a membership change moves few
// entries. A request's hash indexes the table; without a hash, a random entry is used.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import { candidates } from './candidates.ts'
import { hash32, sameEndpoints } from './hash.ts'

export const DEFAULT_MAGLEV_TABLE_SIZE = 65537

export class MaglevLoadBalancer implements LoadBalancer {
  readonly policy = 'maglev' as const
  #table: Endpoint[] = []
  #source: readonly Endpoint[] = []

  constructor(
    private readonly random: () => number,
    private readonly tableSize = DEFAULT_MAGLEV_TABLE_SIZE,
  ) {}

  pick(endpoints: readonly Endpoint[], ctx?: LbContext): Endpoint | undefined {
    const list = candidates(endpoints, ctx)
    if (list.length === 0) return undefined
    const table = this.#tableFor(list)
    const hash = ctx?.hash ?? Math.floor((ctx?.random ?? this.random)() * 2 ** 32) >>> 0
    return table[hash % table.length]
  }

  /** Rebuilt only when the candidate set changes; the fill is Maglev's (offset, skip) permutation. */
  #tableFor(list: readonly Endpoint[]): Endpoint[] {
    if (this.#table.length && sameEndpoints(list, this.#source)) return this.#table
    const size = this.tableSize
    // Sorted by key so the table depends on the set, not on the order DNS answered in.
    const sorted = [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    const offsets = sorted.map((e) => hash32(e.key, 0x9e3779b9) % size)
    const skips = sorted.map((e) => (hash32(e.key, 0x7f4a7c15) % (size - 1)) + 1)
    const next = new Array<number>(sorted.length).fill(0)
    const table = new Array<Endpoint | undefined>(size)
    let filled = 0
    while (filled < size) {
      for (let i = 0; i < sorted.length && filled < size; i++) {
        let slot = (offsets[i]! + next[i]! * skips[i]!) % size
        while (table[slot] !== undefined) {
          next[i]!++
          slot = (offsets[i]! + next[i]! * skips[i]!) % size
        }
        table[slot] = sorted[i]
        next[i]!++
        filled++
      }
    }
    this.#table = table as Endpoint[]
    this.#source = [...list]
    return this.#table
  }
}
