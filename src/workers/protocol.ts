// What a primary and its workers tell each other. The primary passes env to a worker; a worker
// POSTs `live` or `failed` to the primary's control URL and serves a snapshot on its private admin.

import type { HistogramSample } from '../stats/histogram.ts'
import type { StatKind } from '../stats/stats-store.ts'
import type { Config } from '../config/model.ts'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'

export const WORKER_ENV = {
  index: 'EDGEWAY_WORKER_INDEX',
  control: 'EDGEWAY_WORKER_CONTROL',
  token: 'EDGEWAY_WORKER_TOKEN',
  /** JSON `{ listener: port }`: the ports worker 0 bound for listeners configured with port 0. */
  ports: 'EDGEWAY_WORKER_PORTS',
  /** JSON of the primary's validated config: a worker never loads the YAML parser or zod (~20 MB RSS each). */
  config: 'EDGEWAY_WORKER_CONFIG',
} as const

/** Only requests carrying the primary's token are believed: the control port is on loopback, not private. */
export const TOKEN_HEADER = 'x-edgeway-worker-token'

/** The worker's private admin path the primary aggregates from. */
export const SNAPSHOT_PATH = '/worker/snapshot'

/** The worker's private admin path a reloaded config is POSTed to (JSON of the validated model). */
export const APPLY_PATH = '/worker/config'

export type WorkerEnv = {
  readonly index: number
  readonly controlUrl: string
  readonly token: string
  readonly ports: Readonly<Record<string, number>>
  /** The primary's config; absent only when a worker was started by hand. */
  readonly config?: Config
}

export type ControlMessage =
  | { readonly type: 'live'; readonly index: number; readonly pid: number; readonly adminPort: number; readonly ports: Record<string, number> }
  | { readonly type: 'failed'; readonly index: number; readonly pid: number; readonly message: string }

export type StatSample = { readonly name: string; readonly kind: StatKind; readonly value: number }

/** A worker's histogram: everything since it started and its last completed flush interval. */
export type HistogramSnapshot = { readonly name: string; readonly cumulative: HistogramSample; readonly interval: HistogramSample }

export type WorkerSnapshot = {
  readonly index: number
  readonly pid: number
  readonly stats: readonly StatSample[]
  /** Absent from a worker of an older edgeway: treated as none. */
  readonly histograms?: readonly HistogramSnapshot[]
  readonly clusters: readonly ClusterSnapshot[]
}

/** The worker side of the env contract; undefined in a primary or single process. */
export function readWorkerEnv(env: (name: string) => string | undefined): WorkerEnv | undefined {
  const index = env(WORKER_ENV.index)
  const controlUrl = env(WORKER_ENV.control)
  if (index === undefined || index === '' || !controlUrl) return undefined
  return {
    index: Number(index),
    controlUrl,
    token: env(WORKER_ENV.token) ?? '',
    ports: JSON.parse(env(WORKER_ENV.ports) || '{}') as Record<string, number>,
    ...(env(WORKER_ENV.config) && { config: JSON.parse(env(WORKER_ENV.config)!) as Config }),
  }
}

export function workerEnv(worker: WorkerEnv): Record<string, string> {
  return {
    [WORKER_ENV.index]: String(worker.index),
    [WORKER_ENV.control]: worker.controlUrl,
    [WORKER_ENV.token]: worker.token,
    [WORKER_ENV.ports]: JSON.stringify(worker.ports),
    ...(worker.config && { [WORKER_ENV.config]: JSON.stringify(worker.config) }),
  }
}
