// Builds every configured cluster, runs their discovery (static members at once, DNS on a refresh
// timer) and health checks, and looks clusters up by name for the proxy and the admin listener.

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

export class ClusterManager {
  readonly #clusters = new Map<string, Cluster>()
  readonly #discoveries: DnsDiscovery[] = []

  constructor(configs: readonly ClusterConfig[], deps: ClusterManagerDeps) {
    for (const config of configs) {
      const cluster = new Cluster(config, {
        stats: deps.stats.cluster(config.name),
        clock: deps.clock,
        probe: deps.probe,
        random: deps.random,
      })
      this.#clusters.set(config.name, cluster)
      if (config.type === 'static') cluster.setMembers(config.endpoints)
      else this.#discoveries.push(new DnsDiscovery(cluster, deps.resolverFor(config), deps.clock, deps.log))
    }
  }

  get(name: string): Cluster | undefined {
    return this.#clusters.get(name)
  }

  all(): readonly Cluster[] {
    return [...this.#clusters.values()]
  }

  /**
   * Resolves once every DNS cluster has finished its first resolution (success or failure) and
   * every health-checked cluster its first round of probes (bounded by the probe timeout), so the
   * first requests find warm clusters, as after Envoy's cluster warming. Refreshes keep running.
   */
  async start(): Promise<void> {
    await Promise.all(this.#discoveries.map((d) => d.start()))
    await Promise.all(this.all().map((c) => c.startHealthChecks()))
  }

  /** Clears every timer: DNS refreshes, health-check rounds, pending un-ejections. */
  stop(): void {
    for (const discovery of this.#discoveries) discovery.stop()
    for (const cluster of this.#clusters.values()) cluster.stop()
  }

  snapshot(): ClusterSnapshot[] {
    return this.all().map((c) => c.snapshot())
  }
}
