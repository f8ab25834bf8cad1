// The server's lifecycle state as /ready and /server_info report it, and /server_info's JSON shape.

export type ServerState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING'

/** A worker process as the primary sees it (Envoy has threads; edgeway has processes). */
export type WorkerState = 'starting' | 'live' | 'restarting' | 'dead'

export type WorkerRow = {
  readonly index: number
  readonly pid: number
  readonly state: WorkerState
  readonly restarts: number
  /** Requests its listeners received (`http.*.downstream_rq_total`); absent when it did not answer. */
  readonly downstreamRqTotal?: number
}

export type ServerInfo = {
  version: string
  state: ServerState
  uptimeSeconds: number
  commandLineOptions: Record<string, unknown>
  node: { id: string; cluster: string }
  runtime: string
  workers?: readonly WorkerRow[]
  generation?: { readonly version: number; readonly loadedAtMs: number }
}

/** What /server_info says of this process, read when asked (state and uptime change). */
export function serverInfoOf(sources: {
  readonly version: string
  readonly startedAtMs: number
  /** This process's lifecycle state (src/lifecycle/server-state.ts). */
  readonly state: () => ServerState
  /** The configuration generation in force: its version and when it was loaded. */
  readonly generation?: () => { readonly version: number; readonly loadedAtMs: number }
  readonly commandLineOptions: Record<string, unknown>
  readonly node: { readonly id: string; readonly cluster: string }
  readonly runtime: { readonly name: string; readonly version: string }
}): () => ServerInfo {
  return () => ({
    version: sources.version,
    state: sources.state(),
    ...(sources.generation && { generation: sources.generation() }),
    uptimeSeconds: (Date.now() - sources.startedAtMs) / 1000,
    commandLineOptions: sources.commandLineOptions,
    node: { id: sources.node.id, cluster: sources.node.cluster },
    runtime: `${sources.runtime.name} ${sources.runtime.version}`,
  })
}

export type StateSources = {
  readonly info: ServerInfo
  /** `/healthcheck/fail` was called: Envoy reports DRAINING until `/healthcheck/ok`. */
  readonly failing: boolean
  readonly ready: boolean
}

export function currentState({ info, failing, ready }: StateSources): ServerState {
  if (failing) return 'DRAINING'
  if (info.state !== 'LIVE') return info.state
  return ready ? 'LIVE' : 'PRE_INITIALIZING'
}

export function serverInfoJson(info: ServerInfo, state: ServerState): unknown {
  const uptime = `${Math.max(0, Math.floor(info.uptimeSeconds))}s`
  return {
    version: info.version,
    state,
    hot_restart_version: 'disabled',
    command_line_options: {
      service_cluster: info.node.cluster,
      service_node: info.node.id,
      ...info.commandLineOptions,
    },
    node: {
      id: info.node.id,
      cluster: info.node.cluster,
      user_agent_name: 'edgeway',
      user_agent_version: info.version,
    },
    uptime_current_epoch: uptime,
    // No hot restart: both epochs are the same.
    uptime_all_epochs: uptime,
    runtime: info.runtime,
    ...(info.generation && { config_version: String(info.generation.version), config_loaded_at: new Date(info.generation.loadedAtMs).toISOString() }),
    ...(info.workers && { workers: info.workers.map(workerJson) }),
  }
}

/** `/workers`: one entry per worker process (one, index 0, when running as a single process). */
export function workersJson(rows: readonly WorkerRow[]): unknown {
  return { concurrency: rows.length, workers: rows.map(workerJson) }
}

function workerJson(row: WorkerRow) {
  return {
    index: row.index,
    pid: row.pid,
    state: row.state,
    restarts: row.restarts,
    ...(row.downstreamRqTotal !== undefined && { downstream_rq_total: row.downstreamRqTotal }),
  }
}
