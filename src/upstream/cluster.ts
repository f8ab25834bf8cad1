// One upstream cluster: its members, load balancer, circuit breakers, passive (outlier) and active
// health checking, and the cluster-scope stats those own. Discovery (static or DNS) feeds it members.

import type { ClusterStats } from '../stats/stats-store.ts'
import type { ClusterConfig, EndpointAddress } from '../config/model.ts'
import { CircuitBreakers } from './circuit-breakers.ts'
import type { Clock } from './clock.ts'
import type { ClusterSnapshot } from './cluster-snapshot.ts'
import { Endpoint, endpointKey, NO_LOCALITY, sameLocality } from './endpoint.ts'
import { endpointConnections, type EndpointConnections } from './endpoint-connections.ts'
import { HealthChecker, type HealthProbe } from './health-checker.ts'
import { balancerFor, panicOf } from './lb/create-load-balancer.ts'
import { PrioritySet } from './lb/priority-set.ts'
import type { LbContext, LoadBalancer } from './load-balancer.ts'
import { OutlierDetector, type AttemptOutcome } from './outlier-detector.ts'

export type ClusterDeps = {
  readonly stats: ClusterStats
  readonly clock: Clock
  /** Without a probe, configured health checks are not run and endpoints are ready at once. */
  readonly probe?: HealthProbe
  readonly random?: () => number
}

export class Cluster {
  readonly name: string
  readonly stats: ClusterStats
  readonly circuitBreakers: CircuitBreakers
  readonly #clock: Clock
  readonly #lb: LoadBalancer
  /** Set only while the members span several priority levels; the single-level pick stays #lb's alone. */
  #priorities: PrioritySet | undefined
  readonly #prioritySet: () => PrioritySet
  readonly #outlier: OutlierDetector | undefined
  readonly #health: HealthChecker | undefined
  #members: readonly Endpoint[] = []
  /** Weak: an endpoint DNS dropped takes its entry with it once its last connection is gone. */
  readonly #connections = new WeakMap<Endpoint, EndpointConnections>()
  #healthStarted = false
  /**
   * ignore_new_hosts_until_first_hc with active checks: an endpoint a DNS answer adds (the first
   * answer's too, as Envoy's updateDynamicHostList marks them; warming waits out their first check)
   * is excluded until that check ends. A static cluster's endpoints never are, as in Envoy.
   */
  readonly #excludesNewHosts: boolean
  #firstRound: Promise<void> | undefined
  readonly #pickContext: { exclude: ReadonlySet<Endpoint> | undefined; hash: bigint | undefined; random: (() => number) | undefined; nowMs: number } = { exclude: undefined, hash: undefined, random: undefined, nowMs: 0 }

  constructor(
    readonly config: ClusterConfig,
    deps: ClusterDeps,
  ) {
    this.name = config.name
    this.stats = deps.stats
    this.#clock = deps.clock
    const random = deps.random ?? Math.random
    const panic = panicOf(config, () => deps.stats.lb_healthy_panic.inc())
    this.#lb = balancerFor(config, random, panic)
    let prioritySet: PrioritySet | undefined
    const hashed = config.lbPolicy === 'ring_hash' || config.lbPolicy === 'maglev'
    this.#prioritySet = () => (prioritySet ??= new PrioritySet((levelPanic) => balancerFor(config, random, levelPanic), panic, random, hashed, config.localityWeightedLb === true))
    this.circuitBreakers = new CircuitBreakers(config.circuitBreakers, deps.stats)
    const members = () => this.#members
    const onChange = () => this.#updateHealthyGauge()
    if (config.outlierDetection) {
      this.#outlier = new OutlierDetector(config.outlierDetection, deps.stats, deps.clock, members, onChange)
    }
    if (config.healthCheck && deps.probe) {
      this.#health = new HealthChecker(config.healthCheck, deps.stats, deps.clock, deps.probe, members, onChange, config.transport)
    }
    this.#excludesNewHosts = this.#health !== undefined && config.ignoreNewHostsUntilFirstHc && config.type !== 'static'
  }

  endpoints(): readonly Endpoint[] {
    return this.#members
  }

  /**
   * The time readiness is judged at, which only an ejection's end depends on: while outlier
   * detection has no member ejected (none without it), every ejectedUntilMs is 0, isEjected(0) says
   * what isEjected(now) would, and the clock is not read (~35 ns a request on Bun, ~50 on Deno).
   */
  #readinessTime(): number {
    return this.#outlier?.ejecting === true ? this.#clock.now() : 0
  }

  /** An endpoint through the load balancer (any one in panic, counted in lb_healthy_panic); undefined (and upstream_cx_none_healthy) when there is none to pick. */
  pick(ctx?: LbContext): Endpoint | undefined {
    let c: LbContext
    if (ctx?.nowMs !== undefined) c = ctx
    else {
      // One context for every pick without a time (a pick is synchronous and keeps nothing of it).
      const own = this.#pickContext
      own.exclude = ctx?.exclude
      own.hash = ctx?.hash
      own.random = ctx?.random
      own.nowMs = this.#readinessTime()
      c = own
    }
    const endpoint = this.#priorities === undefined ? this.#lb.pick(this.#members, c) : this.#priorities.pick(c)
    if (!endpoint) this.stats.upstream_cx_none_healthy.inc()
    return endpoint
  }

  /**
   * The proxy reports every attempt's outcome here: per-endpoint counters (/clusters) and outlier
   * detection. Cluster-scope request stats (upstream_rq_*) stay the proxy's; connection stats
   * (upstream_cx_*, cx_*) are the upstream client's, through connections().
   */
  recordOutcome(endpoint: Endpoint, outcome: AttemptOutcome): void {
    endpoint.rqTotal++
    if (outcome === 'success') endpoint.rqSuccess++
    else if (outcome === 'timeout') endpoint.rqTimeout++
    else endpoint.rqError++
    this.#outlier?.record(endpoint, outcome)
  }

  /** What the upstream client's pool reports to and asks of this cluster for one endpoint; one object per endpoint. */
  connections(endpoint: Endpoint): EndpointConnections {
    let connections = this.#connections.get(endpoint)
    if (!connections) this.#connections.set(endpoint, (connections = endpointConnections(endpoint, this.stats, this.circuitBreakers)))
    return connections
  }

  tryAcquireRequest(): boolean {
    return this.circuitBreakers.tryAcquireRequest()
  }

  releaseRequest(): void {
    this.circuitBreakers.releaseRequest()
  }

  tryAcquireRetry(): boolean {
    return this.circuitBreakers.tryAcquireRetry()
  }

  releaseRetry(): void {
    this.circuitBreakers.releaseRetry()
  }

  /**
   * Replaces the membership. Endpoints whose ip:port stays keep their object (and with it their
   * counters, activeRequests and health) and their position; duplicates collapse to one.
   * Returns true if the membership changed.
   */
  setMembers(addresses: readonly EndpointAddress[]): boolean {
    const previous = new Map(this.#members.map((e) => [e.key, e]))
    const next = new Map<string, Endpoint>()
    const added: Endpoint[] = []
    let reweighted = false
    for (const { address, port, hostname, weight = 1, priority = 0, locality = NO_LOCALITY, localityWeight = 0 } of addresses) {
      const key = endpointKey(address, port)
      if (next.has(key)) continue
      let endpoint = previous.get(key)
      if (!endpoint) {
        endpoint = new Endpoint(address, port, hostname, weight, priority, locality, localityWeight)
        // Envoy holds new hosts out of rotation until their first health check passes.
        endpoint.failedActiveHc = this.#health !== undefined
        endpoint.pendingActiveHc = this.#excludesNewHosts
        added.push(endpoint)
      } else if (endpoint.weight !== weight || endpoint.priority !== priority || endpoint.localityWeight !== localityWeight || !sameLocality(endpoint.locality, locality)) {
        endpoint.weight = weight
        endpoint.priority = priority
        endpoint.locality = locality
        endpoint.localityWeight = localityWeight
        reweighted = true
      }
      next.set(key, endpoint)
    }
    const removed = [...previous.values()].filter((e) => !next.has(e.key))
    for (const endpoint of removed) {
      this.#outlier?.forget(endpoint)
      this.#health?.forget(endpoint)
    }
    // Survivors keep their place, newcomers go last: a DNS answer that comes back shuffled must not
    // reorder the round robin rotation or the /clusters listing.
    this.#members = [...this.#members.filter((e) => next.has(e.key)), ...added]
    if (added.length > 0 || removed.length > 0) this.stats.membership_change.inc()
    const changed = added.length > 0 || removed.length > 0 || reweighted
    this.stats.membership_total.set(this.#members.length)
    this.#regroup()
    this.#updateHealthyGauge()
    if (this.#healthStarted && added.length > 0) void this.#health?.checkNow(added)
    return changed
  }

  /**
   * A cluster rebuilt by a reload takes over its predecessor's endpoints: the same objects, so
   * their health, ejection, counters and in-flight requests carry on. A static cluster keeps those
   * still listed; a DNS cluster keeps all of them until its own first answer replaces them, so a
   * reload never empties it. Without health checks now, none stays held out by an old one.
   */
  adoptEndpoints(previous: Cluster): void {
    const old = new Map(previous.endpoints().map((e) => [e.key, e]))
    if (this.config.type === 'static') {
      this.#members = this.#members.map((e) => {
        const kept = old.get(e.key)
        if (kept) {
          kept.weight = e.weight
          kept.priority = e.priority
          kept.locality = e.locality
          kept.localityWeight = e.localityWeight
        }
        return kept ?? e
      })
    } else {
      // Until its first answer, a DNS endpoint takes the weight its name now has in the config.
      const listed = new Map(this.config.endpoints.map((e) => [`${e.address}:${e.port}`, e]))
      for (const e of previous.endpoints()) {
        const entry = listed.get(`${e.hostname}:${e.port}`)
        if (!entry) continue
        e.weight = entry.weight ?? 1
        e.priority = entry.priority ?? 0
        e.locality = entry.locality ?? NO_LOCALITY
        e.localityWeight = entry.localityWeight ?? 0
      }
      this.#members = [...previous.endpoints()]
    }
    if (!this.#health) for (const endpoint of this.#members) endpoint.failedActiveHc = false
    // Without the flag now, a still unchecked endpoint is only failed_active_hc, counted as usual.
    if (!this.#excludesNewHosts) for (const endpoint of this.#members) endpoint.pendingActiveHc = false
    this.stats.membership_total.set(this.#members.length)
    this.#regroup()
    this.#updateHealthyGauge()
  }

  /** Starts active health checks, resolving once the first round has an answer for every endpoint. */
  startHealthChecks(): Promise<void> {
    if (!this.#health) return Promise.resolve()
    if (!this.#healthStarted) {
      this.#healthStarted = true
      this.#firstRound = this.#health.start()
    }
    return this.#firstRound!
  }

  /** Health checks started and every current member probed once: what warming waits for. */
  async healthChecked(): Promise<void> {
    if (!this.#health) return
    await this.startHealthChecks()
    await this.#health.firstChecks(this.#members)
  }

  stop(): void {
    this.circuitBreakers.retire()
    this.#healthStarted = false
    this.#firstRound = undefined
    this.#health?.stop()
    this.#outlier?.stop()
  }

  snapshot(): ClusterSnapshot {
    const nowMs = this.#clock.now()
    const { maxConnections, maxPendingRequests, maxRequests, maxRetries } = this.config.circuitBreakers
    return {
      name: this.name,
      type: this.config.type,
      lbPolicy: this.config.lbPolicy,
      circuitBreakers: { maxConnections, maxPendingRequests, maxRequests, maxRetries },
      endpoints: this.#members.map((e) => e.snapshot(nowMs)),
    }
  }

  /** After a membership change: the priority set while the members span several levels or localities are weighted, else none. */
  #regroup(): void {
    if (PrioritySet.levelsOf(this.#members) === 1 && !this.config.localityWeightedLb) {
      this.#priorities = undefined
      return
    }
    this.#priorities = this.#prioritySet()
    this.#priorities.setMembers(this.#members, this.#clock.now())
  }

  #updateHealthyGauge(): void {
    const nowMs = this.#clock.now()
    // Envoy recomputes the priority loads on every host health change: so here, not per pick.
    this.#priorities?.update(nowMs)
    let ready = 0
    let excluded = 0
    for (const endpoint of this.#members) {
      if (endpoint.isReady(nowMs)) ready++
      if (endpoint.pendingActiveHc) excluded++
    }
    this.stats.membership_healthy.set(ready)
    this.stats.membership_excluded.set(excluded)
  }
}
