// The primary's view of its workers: their stats summed into one StatsStore and their clusters
// merged, so /stats, /stats/prometheus and /clusters read as one Envoy with N threads would.

import { CLUSTER_STATE_GAUGES } from '../stats/stat-names.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { ClusterSnapshot, EndpointSnapshot } from '../upstream/cluster-snapshot.ts'
import type { HistogramSnapshot, StatSample, WorkerSnapshot } from './protocol.ts'

export function statSamples(stats: StatsStore): StatSample[] {
  return stats.all().map((stat) => ({ name: stat.name, kind: stat.kind, value: stat.value }))
}

export function histogramSamples(stats: StatsStore): HistogramSnapshot[] {
  return stats.histograms().map((h) => ({ name: h.name, cumulative: h.cumulative.sample(), interval: h.interval.sample() }))
}

/**
 * The primary's own: the server, the LDS / CDS file updates it reads and hands to its workers, and
 * the runtime (it reads the same layers as each worker and gets every /runtime_modify first:
 * summed, N workers would say N loads for one).
 */
const primaryOwn = (name: string) =>
  name.startsWith('server.') || name.startsWith('runtime.') || name.startsWith('listener_manager.lds.') || name.startsWith('cluster_manager.cds.')

/**
 * Counters and traffic gauges are summed over the workers. `server.*` describes the whole server,
 * so it comes from the primary's own store (its `concurrency` is N, not N times 1), as do the
 * LDS / CDS update counters and `runtime.*`. Cluster state
 * gauges (membership) are the lowest value any worker reports: while a DNS refresh is reaching the
 * workers one by one, the admin says what every worker already routes to. A circuit breaker's
 * `*_open` flag is the highest (1 when any worker's breaker is open); its `remaining_*` add up.
 */
export function sumStats(primary: StatsStore, snapshots: readonly WorkerSnapshot[]): StatsStore {
  const merged = new StatsStore()
  for (const stat of primary.all()) if (primaryOwn(stat.name)) merged.get(stat.name, stat.kind).set(stat.value)
  const seen = new Set<string>()
  for (const snapshot of snapshots) {
    for (const sample of snapshot.stats) {
      if (primaryOwn(sample.name)) continue
      const stat = merged.get(sample.name, sample.kind)
      if (isBreakerOpen(sample.name)) stat.set(Math.max(stat.value, sample.value))
      else if (!isClusterState(sample.name)) stat.inc(sample.value)
      else stat.set(seen.has(sample.name) ? Math.min(stat.value, sample.value) : sample.value)
      seen.add(sample.name)
    }
    // Histograms add bucket by bucket, so the merged quantiles are those of all workers' requests.
    for (const sample of snapshot.histograms ?? []) {
      const histogram = merged.histogram(sample.name)
      histogram.cumulative.add(sample.cumulative)
      histogram.interval.add(sample.interval)
    }
  }
  return merged
}

/** `cluster.<name>.circuit_breakers.default.cx_open` and its siblings: flags, not amounts. */
function isBreakerOpen(name: string): boolean {
  return name.startsWith('cluster.') && name.includes('.circuit_breakers.') && name.endsWith('_open')
}

/** `cluster.<name>.membership_total` and the like; a cluster name may contain dots, the suffix may not be mistaken. */
function isClusterState(name: string): boolean {
  return name.startsWith('cluster.') && CLUSTER_STATE_GAUGES.some((gauge) => name.endsWith(`.${gauge}`))
}

type EndpointCounts = { -readonly [K in 'activeRequests' | 'rqTotal' | 'rqSuccess' | 'rqError' | 'rqTimeout' | 'cxTotal' | 'cxActive' | 'cxConnectFail']: number }
const COUNTS: readonly (keyof EndpointCounts)[] = ['activeRequests', 'rqTotal', 'rqSuccess', 'rqError', 'rqTimeout', 'cxTotal', 'cxActive', 'cxConnectFail']

/**
 * Membership and health flags from the lowest-indexed worker that answered (every worker
 * resolves and health-checks on its own; they agree but for a refresh in flight); per-endpoint
 * request counts summed over all of them.
 */
export function mergeClusters(snapshots: readonly WorkerSnapshot[]): ClusterSnapshot[] {
  const [first, ...rest] = [...snapshots].sort((a, b) => a.index - b.index)
  if (!first) return []
  const counts = new Map<string, EndpointCounts>()
  const key = (cluster: string, endpoint: EndpointSnapshot) => `${cluster}\n${endpoint.address}:${endpoint.port}`
  for (const snapshot of rest) {
    for (const cluster of snapshot.clusters) {
      for (const endpoint of cluster.endpoints) {
        const sum = counts.get(key(cluster.name, endpoint)) ?? zeroCounts()
        for (const field of COUNTS) sum[field] += endpoint[field]
        counts.set(key(cluster.name, endpoint), sum)
      }
    }
  }
  return first.clusters.map((cluster) => ({
    ...cluster,
    endpoints: cluster.endpoints.map((endpoint) => {
      const extra = counts.get(key(cluster.name, endpoint))
      if (!extra) return endpoint
      const summed: Record<string, number> = {}
      for (const field of COUNTS) summed[field] = endpoint[field] + extra[field]
      return { ...endpoint, ...summed }
    }),
  }))
}

function zeroCounts(): EndpointCounts {
  return { activeRequests: 0, rqTotal: 0, rqSuccess: 0, rqError: 0, rqTimeout: 0, cxTotal: 0, cxActive: 0, cxConnectFail: 0 }
}
