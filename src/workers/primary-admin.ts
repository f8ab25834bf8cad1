// The primary's admin listener: Envoy's endpoints over the sum of the workers (fetched from their
// private admins on each request), /workers with every worker's state, and broadcasts.

import process from 'node:process'
import type { ClusterConfig, ListenerConfig } from '../config/model.ts'
import { buildAdminApp, json, type AdminDeps, type AdminEndpoint } from '../admin/admin-app.ts'
import type { ServerInfo, WorkerRow } from '../admin/server-info.ts'
import { workersJson } from '../admin/server-info.ts'
import { downstreamRequests, StatsStore } from '../stats/stats-store.ts'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'
import type { Logger } from '../log/logger.ts'
import { mergeClusters, sumStats } from './aggregate.ts'
import { SNAPSHOT_PATH, type WorkerSnapshot } from './protocol.ts'
import type { Supervisor } from './supervisor.ts'

const WORKER_TIMEOUT_MS = 2000
/** /ready and /help need nothing from the workers: a load balancer's probe costs no fan-out. */
const LOCAL_PATHS = new Set(['/', '/help', '/ready', '/config_dump', '/certs', '/runtime', '/runtime_modify'])

export type PrimaryAdminOptions = {
  readonly supervisor: Supervisor
  /** The primary's own `server.*` gauges. */
  readonly stats: StatsStore
  readonly configDump: () => unknown
  /** /drain_listeners and /reload: the primary's, which reach every worker. */
  readonly extraEndpoints?: readonly AdminEndpoint[]
    /** The current generation's listeners, whose certificates /certs lists. */
    readonly tlsListeners?: () => readonly ListenerConfig[]
    /** The current generation's clusters, whose upstream TLS CA and client certificate /certs lists. */
    readonly tlsClusters?: () => readonly ClusterConfig[]
  readonly serverInfo: () => Omit<ServerInfo, 'workers'>
  readonly ready: () => boolean
  /** Listeners with the ports the workers bound (worker 0 resolves `port: 0`). */
  readonly listeners: AdminDeps['listeners']
  readonly logger: Logger
}

export function buildPrimaryAdmin(options: PrimaryAdminOptions) {
  const { supervisor } = options
  let merged = new StatsStore()
  let clusters: ClusterSnapshot[] = []
  let snapshots: WorkerSnapshot[] = []
  let failing = false

  const rows = (): WorkerRow[] =>
    supervisor.rows().map((row) => {
      const snapshot = snapshots.find((s) => s.index === row.index && s.pid === row.pid)
      return snapshot ? { ...row, downstreamRqTotal: downstreamRequests(snapshot.stats) } : row
    })

  const deps: AdminDeps = {
    get stats() {
      return merged
    },
    clusters: () => clusters,
    listeners: options.listeners,
    memory: () => process.memoryUsage(),
    logging: {
      levels: () => options.logger.levels(),
      apply: async (query) => {
        const problems = options.logger.apply(query)
        if (problems.length === 0) await broadcast(supervisor, `/logging?${new URLSearchParams(query)}`)
        return problems
      },
    },
    configDump: options.configDump,
    tlsListeners: options.tlsListeners,
    tlsClusters: options.tlsClusters,
    serverInfo: () => ({ ...options.serverInfo(), workers: rows() }),
    healthcheck: {
      fail: async () => {
        failing = true
        await broadcast(supervisor, '/healthcheck/fail')
      },
      ok: async () => {
        failing = false
        await broadcast(supervisor, '/healthcheck/ok')
      },
      failing: () => failing,
    },
    ready: options.ready,
    refresh: async (path) => {
      if (LOCAL_PATHS.has(path)) return
      snapshots = await gather(supervisor)
      merged = sumStats(options.stats, snapshots)
      clusters = mergeClusters(snapshots)
    },
    resetCounters: async () => void (await broadcast(supervisor, '/reset_counters')),
    extraEndpoints: [
      { path: '/workers', method: 'GET', help: 'worker processes: index, pid, state, restarts, requests', handle: () => json(workersJson(rows())) },
      ...(options.extraEndpoints ?? []),
    ],
  }
  return {
    app: buildAdminApp(deps),
    /** A worker (re)started while draining must drain too. */
    onWorkerLive: (adminPort: number) => (failing ? void post(adminPort, '/healthcheck/fail') : undefined),
  }
}

/** Snapshots of the live workers that answered in time; a worker that did not is left out of the sums. */
async function gather(supervisor: Supervisor): Promise<WorkerSnapshot[]> {
  const answers = await Promise.all(
    supervisor.live().map(async ({ adminPort }) => {
      try {
        const response = await fetch(`http://127.0.0.1:${adminPort}${SNAPSHOT_PATH}`, { signal: AbortSignal.timeout(WORKER_TIMEOUT_MS) })
        return response.ok ? ((await response.json()) as WorkerSnapshot) : undefined
      } catch {
        return undefined
      }
    }),
  )
  return answers.filter((answer) => answer !== undefined)
}

export async function broadcast(supervisor: Supervisor, path: string, body?: (index: number) => string, timeoutMs = WORKER_TIMEOUT_MS): Promise<boolean[]> {
  return Promise.all(supervisor.live().map(({ index, adminPort }) => post(adminPort, path, body?.(index), timeoutMs)))
}

/** Resolves true when the worker answered 2xx. */
async function post(adminPort: number, path: string, body?: string, timeoutMs = WORKER_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${adminPort}${path}`, {
      method: 'POST',
      ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    await response.arrayBuffer()
    return response.ok
  } catch {
    // a worker that died meanwhile is restarted with fresh counters (and told to drain if needed)
    return false
  }
}
