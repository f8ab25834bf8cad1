// Builds every configured cluster, runs their discovery (static members at once, DNS on a refresh
// timer) and health checks, warms them for the listeners that route to them, applies a reloaded
// cluster list (kept clusters keep their endpoints and state), and looks clusters up by name.

import type { StatsStore } from '../stats/stats-store.ts'
import type { ClusterConfig } from '../config/model.ts'
import type { Clock } from './clock.ts'
import type { ClusterSnapshot } from './cluster-snapshot.ts'
import { Cluster } from './cluster.ts'
import { DnsDiscovery } from './dns-discovery.ts'
import type { HealthProbe } from './health-checker.ts'
import type { Resolver } from './resolver.ts'

export type ClusterManagerDeps = {
  /** One resolver per DNS cluster, for its `dnsResolvers` (empty = the system configuration) and lookup family. */
  readonly resolverFor: (cluster: Pick<ClusterConfig, 'dnsResolvers' | 'dnsLookupFamily'>) => Resolver
  readonly stats: StatsStore
  readonly clock: Clock
  readonly probe?: HealthProbe
  readonly log?: (line: string) => void
  readonly random?: () => number
}

type Entry = { readonly cluster: Cluster; readonly discovery: DnsDiscovery | undefined; readonly key: string; warm: Promise<void> | undefined }

/** What a reload did to the cluster list. */
export type ClusterChanges = { readonly added: string[]; readonly modified: string[]; readonly removed: string[] }

export class ClusterManager {
  #entries = new Map<string, Entry>()
  #started = false

  constructor(
    configs: readonly ClusterConfig[],
    private readonly deps: ClusterManagerDeps,
  ) {
    for (const config of configs) this.#entries.set(config.name, this.#build(config))
  }

  get(name: string): Cluster | undefined {
    return this.#entries.get(name)?.cluster
  }

  all(): readonly Cluster[] {
    return [...this.#entries.values()].map((e) => e.cluster)
  }

  /**
   * Resolves once every DNS cluster has finished its first resolution (success or failure) and
   * every health-checked cluster its first round of probes (bounded by the probe timeout).
   * Refreshes keep running; listeners wait on `warm` for the clusters they route to.
   */
  async start(): Promise<void> {
    this.#started = true
    await Promise.all([...this.#entries.values()].map((e) => this.#start(e)))
  }

  /**
   * Waits until each named cluster has had its first DNS answer (retried quickly while it has
   * none) and its first health check of every member, each for at most its initialFetchTimeoutMs
   * (Envoy's initial_fetch_timeout). Resolves with the names that did not warm in time.
   */
  async warm(names: Iterable<string>): Promise<string[]> {
    const cold: string[] = []
    await Promise.all(
      [...new Set(names)].map(async (name) => {
        const entry = this.#entries.get(name)
        if (!entry) return
        entry.warm ??= (entry.discovery ? entry.discovery.warmed : Promise.resolve()).then(() => entry.cluster.healthChecked())
        let timer: ReturnType<Clock['setTimeout']> | undefined
        const late = new Promise<'late'>((resolve) => (timer = this.deps.clock.setTimeout(() => resolve('late'), entry.cluster.config.initialFetchTimeoutMs)))
        const outcome = await Promise.race([entry.warm, late])
        this.deps.clock.clearTimeout(timer!)
        if (outcome === 'late') {
          entry.cluster.stats.init_fetch_timeout.inc()
          cold.push(name)
        }
      }),
    )
    return cold.sort()
  }

  /**
   * A reloaded cluster list: clusters whose config is unchanged keep their object (endpoints,
   * health, outlier state, counters); changed ones are rebuilt and take over the endpoints that
   * are still listed, with their state; removed ones stop their timers. Requests already holding
   * a removed cluster finish on it.
   */
  update(configs: readonly ClusterConfig[]): ClusterChanges {
    const next = new Map<string, Entry>()
    const changes: ClusterChanges = { added: [], modified: [], removed: [] }
    for (const config of configs) {
      const old = this.#entries.get(config.name)
      if (old && old.key === JSON.stringify(config)) {
        next.set(config.name, old)
        continue
      }
      const entry = this.#build(config)
      if (old) {
        entry.cluster.adoptEndpoints(old.cluster)
        this.#stop(old)
        changes.modified.push(config.name)
      } else changes.added.push(config.name)
      next.set(config.name, entry)
      if (this.#started) void this.#start(entry)
    }
    for (const [name, old] of this.#entries) {
      if (next.has(name)) continue
      this.#stop(old)
      changes.removed.push(name)
    }
    this.#entries = next
    return changes
  }

  /** Clears every timer: DNS refreshes, health-check rounds, pending un-ejections. */
  stop(): void {
    this.#started = false
    for (const entry of this.#entries.values()) this.#stop(entry)
  }

  snapshot(): ClusterSnapshot[] {
    return this.all().map((c) => c.snapshot())
  }

  #build(config: ClusterConfig): Entry {
    const { deps } = this
    const stats = deps.stats.cluster(config.name)
    // A TLS cluster's ssl.* are there from the start, as Envoy makes them with the cluster's TLS context.
    if (config.transport?.tls) stats.ssl()
    const cluster = new Cluster(config, { stats, clock: deps.clock, probe: deps.probe, random: deps.random })
    if (config.type === 'static') cluster.setMembers(config.endpoints)
    const discovery = config.type === 'static' ? undefined : new DnsDiscovery(cluster, deps.resolverFor(config), deps.clock, deps.log)
    return { cluster, discovery, key: JSON.stringify(config), warm: undefined }
  }

  async #start(entry: Entry): Promise<void> {
    await entry.discovery?.start()
    await entry.cluster.startHealthChecks()
  }

  #stop(entry: Entry): void {
    entry.discovery?.stop()
    entry.cluster.stop()
  }
}
