// A cluster whose endpoints span several priority levels (Envoy's PrioritySet): one balancer of
// the cluster's policy per level (so round robin keeps a rotation, ring_hash a ring and maglev a
// table per level, as Envoy does), the level chosen per pick from the loads priority-load.ts
// computes. With locality_weighted_lb_config, a level not in panic first picks a locality
// (locality-wrr.ts), then that locality's own balancer picks among its ready endpoints. The loads and panic flags are recomputed by update(), which the cluster calls on every
// membership or health change; a pick only rolls a number and walks at most a few levels.

import type { Endpoint } from '../endpoint.ts'
import type { LbContext, LoadBalancer } from '../load-balancer.ts'
import type { HealthyPanic } from './healthy-panic.ts'
import { LocalityWrr } from './locality-wrr.ts'
import { choosePriority, priorityLoads } from './priority-load.ts'

/** Envoy's LocalityLbEndpoints.priority is at most 128. */
export const MAX_PRIORITY = 128
const LEVELS = MAX_PRIORITY + 1

/** Builds one level's balancer, judging panic by `decide` (the level's flag), not by its own list. */
export type LevelBalancerFactory = (panic: HealthyPanic) => LoadBalancer

export class PrioritySet {
  #levels: Endpoint[][] = []
  readonly #balancers: LoadBalancer[] = []
  readonly #load = new Uint8Array(LEVELS)
  readonly #panic = new Uint8Array(LEVELS)
  readonly #ready = new Uint32Array(LEVELS)
  readonly #counted = new Uint32Array(LEVELS)
  readonly #hosts = new Uint32Array(LEVELS)
  readonly #hashed: boolean
  /** Per level, its localities' schedule (locality_weighted_lb_config only). */
  #wrr: LocalityWrr[] = []
  /** Per level, per locality index: a balancer over that locality's ready endpoints (never in panic there). */
  readonly #localityBalancers: LoadBalancer[][] = []
  #seed: number | undefined

  constructor(
    private readonly factory: LevelBalancerFactory,
    private readonly panic: HealthyPanic,
    private readonly random: () => number,
    /** ring_hash and maglev choose the level from the request's hash, as Envoy's thread-aware balancers do. */
    hashed: boolean,
    private readonly localityWeighted = false,
  ) {
    this.#hashed = hashed
  }

  /** How many levels the members span (the highest priority + 1); 1 = the plain single-level path. */
  static levelsOf(members: readonly Endpoint[]): number {
    // Envoy's priority set has a host set for every level up to the highest, empty ones included.
    let highest = 0
    for (let i = 0; i < members.length; i++) if (members[i]!.priority > highest) highest = members[i]!.priority
    return highest + 1
  }

  /** Regroups `members` by priority (a new list per level, so each level's balancer sees the change). */
  setMembers(members: readonly Endpoint[], nowMs: number): void {
    const levels: Endpoint[][] = Array.from({ length: PrioritySet.levelsOf(members) }, () => [])
    for (const endpoint of members) levels[endpoint.priority]!.push(endpoint)
    this.#levels = levels
    for (let i = this.#balancers.length; i < levels.length; i++) this.#balancers.push(this.factory(this.#levelPanic(i)))
    if (this.localityWeighted) {
      this.#wrr = levels.map((level) => new LocalityWrr(level))
      // Envoy's locality source has no panic of its own: a level in panic never gets that far.
      const never = { ...this.panic, decide: () => false }
      this.#wrr.forEach((wrr, level) => {
        const balancers = (this.#localityBalancers[level] ??= [])
        for (let i = balancers.length; i < wrr.localities.length; i++) balancers.push(this.factory(never))
      })
    }
    this.update(nowMs)
  }

  /** Recomputes the per-level health, loads and panic flags (Envoy does it on every host change). */
  update(nowMs: number): void {
    const levels = this.#levels
    for (let i = 0; i < levels.length; i++) {
      let ready = 0
      let excluded = 0
      for (const endpoint of levels[i]!) {
        if (endpoint.isReady(nowMs)) ready++
        else if (endpoint.pendingActiveHc) excluded++
      }
      this.#ready[i] = ready
      this.#counted[i] = levels[i]!.length - excluded
      this.#hosts[i] = levels[i]!.length
    }
    priorityLoads(levels.length, { ready: this.#ready, counted: this.#counted, hosts: this.#hosts }, this.panic.thresholdPercent, this.#load, this.#panic)
    if (this.localityWeighted) {
      const seed = (this.#seed ??= Math.floor(this.random() * 2 ** 32) >>> 0)
      for (const wrr of this.#wrr) wrr.rebuild(nowMs, seed)
    }
  }

  pick(ctx: LbContext): Endpoint | undefined {
    const levels = this.#levels.length
    // Envoy's choosePriority(hash % 100 + 1): the request's hash for the hashing policies, else a random draw.
    const roll = this.#hashed && ctx.hash !== undefined ? Number(ctx.hash % 100n) + 1 : Math.floor((ctx.random ?? this.random)() * 100) + 1
    const level = choosePriority(Math.min(roll, 100), levels, this.#load)
    // Envoy's hostSourceToUse: panic first (all the level's endpoints), then a locality.
    if (this.localityWeighted && this.#panic[level] === 0) {
      const wrr = this.#wrr[level]!
      const locality = wrr.choose()
      if (locality >= 0) return this.#localityBalancers[level]![locality]!.pick(wrr.localities[locality]!, ctx)
    }
    return this.#balancers[level]!.pick(this.#levels[level]!, ctx)
  }

  /** The load each level gets now, in percent (tests, and /clusters some day). */
  loads(): number[] {
    return Array.from(this.#load.subarray(0, this.#levels.length))
  }

  #levelPanic(level: number): HealthyPanic {
    const flags = this.#panic
    return { ...this.panic, decide: () => flags[level] === 1 }
  }
}
