// Puts a generation's listeners and clusters in place: the first one at startup, the next ones on
// reload. Clusters are diffed first; each listener then waits for the clusters it routes to to warm
// (bounded by their initial_fetch_timeout, and said when it runs out), and is bound, rebound (its
// address changed: the old socket drains) or swapped to the new handler; removed listeners drain.

import type { Config, ListenerConfig } from '../config/model.ts'
import type { ListenerSet } from '../listener/listener-set.ts'
import type { FetchHandler } from '../runtime.ts'
import type { ListenerManagerStats } from '../stats/stats-store.ts'
import type { ClusterChanges, ClusterManager } from '../upstream/cluster-manager.ts'
import { clustersOf, socketChanged } from './generation.ts'

export type ApplyDeps = {
  readonly listeners: ListenerSet
  readonly clusters: ClusterManager
  readonly handlerFor: (listener: ListenerConfig) => FetchHandler
  readonly log: (line: string) => void
  readonly stats: ListenerManagerStats
  readonly drainTimeMs: number
}

export type ApplyResult = {
  readonly clusters: ClusterChanges
  readonly listeners: { readonly added: string[]; readonly modified: string[]; readonly removed: string[] }
  /** Clusters some listener stopped waiting for (initial_fetch_timeout). */
  readonly cold: string[]
}

/** Throws ListenError when a new or rebound listener cannot bind (at startup: nothing serves yet). */
export async function applyGeneration(deps: ApplyDeps, before: Config | undefined, after: Config): Promise<ApplyResult> {
  const clusters = before ? deps.clusters.update(after.clusters) : { added: after.clusters.map((c) => c.name), modified: [], removed: [] }
  const previous = new Map((before?.listeners ?? []).map((l) => [l.name, l]))
  const listeners = { added: [] as string[], modified: [] as string[], removed: [] as string[] }
  const cold = new Set<string>()
  await Promise.all(
    after.listeners.map(async (listener) => {
      const notWarm = await deps.clusters.warm(clustersOf(listener))
      if (notWarm.length > 0) {
        deps.log(`edgeway: listener ${listener.name} accepts before cluster(s) ${notWarm.join(', ')} finished warming (initial_fetch_timeout); requests there may get 503 until they do`)
        for (const name of notWarm) cold.add(name)
      }
      const old = previous.get(listener.name)
      const handler = deps.handlerFor(listener)
      if (!old || !deps.listeners.has(listener.name)) {
        await deps.listeners.bind(listener, handler)
        listeners.added.push(listener.name)
        deps.stats.listener_added.inc()
      } else if (socketChanged(old, listener)) {
        await deps.listeners.rebind(listener, handler, deps.drainTimeMs)
        listeners.modified.push(listener.name)
        deps.stats.listener_modified.inc()
      } else {
        deps.listeners.swap(listener, handler)
        if (JSON.stringify(old) !== JSON.stringify(listener)) {
          listeners.modified.push(listener.name)
          deps.stats.listener_modified.inc()
        }
      }
    }),
  )
  for (const name of previous.keys()) {
    if (after.listeners.some((l) => l.name === name)) continue
    listeners.removed.push(name)
    deps.stats.listener_removed.inc()
    // Drains in the background: it stops accepting now, its requests in flight finish.
    void deps.listeners.close(name, deps.drainTimeMs)
  }
  deps.stats.total_listeners_active.set(deps.listeners.names().length)
  return { clusters, listeners, cold: [...cold].sort() }
}
