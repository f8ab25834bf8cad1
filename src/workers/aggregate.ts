// The primary's view of its workers: their stats summed into one StatsStore and their clusters
// merged, so /stats, /stats/prometheus and /clusters read as one Envoy with N threads would.

import { StatsStore } from '../admin/stats.ts'
import type { ClusterSnapshot, EndpointSnapshot } from '../upstream/cluster-snapshot.ts'
import type { StatSample, WorkerSnapshot } from './protocol.ts'

export function statSamples(stats: StatsStore): StatSample[] {
  return stats.all().map((stat) => ({ name: stat.name, kind: stat.kind, value: stat.value }))
}

/**
 * Counters and gauges are summed over the workers. `server.*` describes the whole server, so
 * it comes from the primary's own store (its `concurrency` is N, not N times 1).
 */
export function sumStats(primary: StatsStore, snapshots: readonly WorkerSnapshot[]): StatsStore {
  const merged = new StatsStore()
  for (const stat of primary.all()) if (stat.name.startsWith('server.')) merged.get(stat.name, stat.kind).set(stat.value)
  for (const snapshot of snapshots) {
    for (const sample of snapshot.stats) {
      if (!sample.name.startsWith('server.')) merged.get(sample.name, sample.kind).inc(sample.value)
    }
  }
  return merged
}

type EndpointCounts = { -readonly [K in 'activeRequests' | 'rqTotal' | 'rqSuccess' | 'rqError' | 'rqTimeout' | 'cxConnectFail']: number }
const COUNTS: readonly (keyof EndpointCounts)[] = ['activeRequests', 'rqTotal', 'rqSuccess', 'rqError', 'rqTimeout', 'cxConnectFail']

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
  return { activeRequests: 0, rqTotal: 0, rqSuccess: 0, rqError: 0, rqTimeout: 0, cxConnectFail: 0 }
}
