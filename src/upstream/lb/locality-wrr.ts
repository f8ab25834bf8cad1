// Envoy's locality weighted balancing within one priority level (LocalityWrr,
// rebuildLocalityScheduler, effectiveLocalityWeight): the level's endpoints grouped by locality,
// each locality weighted by its load_balancing_weight × min(1, 1.4 × its ready share), and an EDF
// schedule over those with a weight above 0. Rebuilt on every membership or health change; a pick
// is one EDF step.

import type { Endpoint } from '../endpoint.ts'
import { EdfScheduler } from './edf-scheduler.ts'

type Entry = { readonly index: number; readonly weight: number }
const weightOf = (entry: Entry) => entry.weight

export class LocalityWrr {
  /** The level's endpoints by locality, in the order the localities first appear. */
  readonly localities: readonly (readonly Endpoint[])[]
  /** Each locality's load_balancing_weight (the last of its endpoints' localityWeight; 0 = none given, no load). */
  readonly #weights: readonly number[]
  #scheduler: EdfScheduler<Entry> | undefined

  constructor(level: readonly Endpoint[]) {
    const byKey = new Map<string, { endpoints: Endpoint[]; weight: number }>()
    for (const endpoint of level) {
      const { region, zone, subZone } = endpoint.locality
      const key = `${region}\u0000${zone}\u0000${subZone}`
      let group = byKey.get(key)
      if (!group) byKey.set(key, (group = { endpoints: [], weight: 0 }))
      group.endpoints.push(endpoint)
      group.weight = endpoint.localityWeight
    }
    this.localities = [...byKey.values()].map((g) => g.endpoints)
    this.#weights = [...byKey.values()].map((g) => g.weight)
  }

  /**
   * Envoy's rebuildLocalityScheduler: no schedule when the level has no ready endpoint or every
   * effective weight is 0 (then the level's ready endpoints are balanced over as a whole).
   */
  rebuild(nowMs: number, seed: number): void {
    const entries: Entry[] = []
    this.localities.forEach((endpoints, index) => {
      const weight = effectiveLocalityWeight(endpoints, this.#weights[index]!, nowMs)
      if (weight > 0) entries.push({ index, weight })
    })
    this.#scheduler = entries.length > 0 ? EdfScheduler.createWithPicks(entries, weightOf, seed) : undefined
  }

  /** The next locality's index, or -1 when there is no schedule. */
  choose(): number {
    return this.#scheduler ? this.#scheduler.pickAndAdd(weightOf)!.index : -1
  }

  /** Each locality's effective weight now (tests). */
  effectiveWeights(nowMs: number): number[] {
    return this.localities.map((endpoints, index) => effectiveLocalityWeight(endpoints, this.#weights[index]!, nowMs))
  }
}

/** weight × min(1, 1.4 × ready / (endpoints − excluded)); 0 for a locality of excluded endpoints only. */
export function effectiveLocalityWeight(endpoints: readonly Endpoint[], weight: number, nowMs: number): number {
  let ready = 0
  let excluded = 0
  for (const endpoint of endpoints) {
    if (endpoint.isReady(nowMs)) ready++
    else if (endpoint.pendingActiveHc) excluded++
  }
  const counted = endpoints.length - excluded
  if (counted === 0) return 0
  // Envoy's overprovisioning_factor / 100.0 in doubles.
  return weight * Math.min(1, (140 / 100) * (ready / counted))
}
