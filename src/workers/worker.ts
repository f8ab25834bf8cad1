// The worker side of --concurrency: serve the configured listeners on shared ports, keep the
// admin private (the primary serves the real one), and tell the primary when live or failed.

import process from 'node:process'
import { json, type AdminEndpoint } from '../admin/admin-app.ts'
import type { StatsStore } from '../stats/stats-store.ts'
import type { Config } from '../config/model.ts'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'
import { histogramSamples, statSamples } from './aggregate.ts'
import { APPLY_PATH, SNAPSHOT_PATH, TOKEN_HEADER, type ControlMessage, type WorkerEnv, type WorkerSnapshot } from './protocol.ts'

/** Listener ports worker 0 resolved (port 0 in the file) and a private admin on an ephemeral loopback port. */
export function workerConfig(config: Config, worker: WorkerEnv): Config {
  return {
    ...config,
    admin: { address: '127.0.0.1', port: 0 },
    listeners: config.listeners.map((listener) => ({ ...listener, port: worker.ports[listener.name] ?? listener.port })),
  }
}

export function snapshotEndpoint(worker: WorkerEnv, sources: { stats: StatsStore; clusters: () => readonly ClusterSnapshot[] }): AdminEndpoint {
  return {
    path: SNAPSHOT_PATH,
    method: 'GET',
    help: "this worker's stats and clusters, for the primary to aggregate",
    handle: () => {
      const snapshot: WorkerSnapshot = { index: worker.index, pid: process.pid, stats: statSamples(sources.stats), histograms: histogramSamples(sources.stats), clusters: sources.clusters() }
      return json(snapshot)
    },
  }
}

/** Resolves false when the primary could not be told (it is gone: the worker should stop). */
export async function tellPrimary(worker: WorkerEnv, message: ControlMessage): Promise<boolean> {
  try {
    const response = await fetch(worker.controlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: worker.token },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(5000),
    })
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

/**
 * A primary killed with SIGKILL cannot stop its workers, and a worker that went on accepting
 * would answer for a replica that is gone. The primary holds the write end of the worker's stdin:
 * the kernel closes it when the primary dies, however it dies, and the worker stops at once. The
 * parent pid check is a fallback for a stdin that is not that pipe.
 */
export function onOrphaned(stop: () => void, everyMs = 1000): void {
  let orphaned = false
  const once = () => {
    if (orphaned) return
    orphaned = true
    clearInterval(timer)
    stop()
  }
  process.stdin.on('end', once)
  process.stdin.on('close', once)
  process.stdin.on('error', once)
  process.stdin.resume()
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid !== parent) once()
  }, everyMs)
  ;(timer as { unref?: () => void }).unref?.()
}

/** The primary POSTs a reloaded config here; the worker applies it as its next generation. */
export function applyEndpoint(apply: (config: Config) => Promise<unknown>): AdminEndpoint {
  return {
    path: APPLY_PATH,
    method: 'POST',
    help: "apply the primary's reloaded config",
    handle: async (c) => {
      await apply((await c.req.json()) as Config)
      return json({ ok: true })
    },
  }
}
