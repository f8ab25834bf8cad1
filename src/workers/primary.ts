// `--concurrency N` with N > 1: this process spawns N workers that share the listener ports,
// serves the admin listener over their summed stats, restarts a worker that dies, hands every
// worker a reloaded config, and drains them all together on SIGTERM/SIGINT. It serves no
// listener traffic itself.

import { randomUUID } from 'node:crypto'
import type { Runtime, ServerHandle } from '../runtime.ts'
import { spawnWorker } from '../adapter/worker-process.ts'
import { generationInfo } from '../admin/generation-info.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { Config } from '../config/model.ts'
import { listen } from '../listener/listen.ts'
import { assertPortsFree } from '../listener/port-guard.ts'
import { ADMIN_SERVE_OPTIONS } from '../listener/serve-options.ts'
import { Logger } from '../log/logger.ts'
import { ServerLifecycle } from '../lifecycle/server-state.ts'
import { drainEndpoints } from '../lifecycle/drain-endpoints.ts'
import { DEFAULT_DRAIN_TIME_MS } from '../lifecycle/drain-time.ts'
import type { Generation } from '../lifecycle/generation.ts'
import { broadcast, buildPrimaryAdmin } from './primary-admin.ts'
import { APPLY_PATH, TOKEN_HEADER, type ControlMessage } from './protocol.ts'
import { Supervisor } from './supervisor.ts'
import { LayeredRuntime } from '../layered-runtime/layered-runtime.ts'
import { runtimeEndpoints } from '../admin/runtime-endpoints.ts'

/** Beyond the drain time: long enough for a worker to flush its last spans; then SIGKILL. */
export const STOP_GRACE_MS = 3000

export type PrimaryOptions = {
  readonly runtime: Runtime
  readonly concurrency: number
  readonly version: string
  readonly commandLineOptions: Record<string, unknown>
  readonly write: (chunk: string) => void
  /** The primary's own loggers; /logging changes reach every worker too. */
  readonly logger?: Logger
  readonly drainTimeMs?: number
  /** The primary's own stats (server.*, reload counters); workers' are gathered per admin request. */
  readonly stats?: StatsStore
  /** `POST /reload`: main.ts re-reads the file and calls `apply`. */
  readonly reload?: () => Promise<unknown>
}

export type RunningPrimary = {
  /** Bound ports by listener name (`admin` for the admin listener), as the startup line prints them. */
  readonly ports: ReadonlyMap<string, number>
  generation(): Generation
  /** Hands a validated config to every worker (they apply it together); throws ListenError for a new port another process holds. */
  apply(config: Config): Promise<void>
  /** SIGTERM: every worker drains (≤ drain time), then exits. */
  stop(): Promise<void>
}

/** Throws ListenError (admin port) or WorkerStartError (a worker could not start): nothing is left running. */
export async function startPrimary(config: Config, options: PrimaryOptions): Promise<RunningPrimary> {
  const { runtime } = options
  const startedAt = Date.now()
  const drainTimeMs = options.drainTimeMs ?? DEFAULT_DRAIN_TIME_MS
  const token = randomUUID()
  let onLive = (_adminPort: number) => {}
  let supervisor: Supervisor | undefined
  const control = await runtime.serve({ hostname: '127.0.0.1', port: 0, idleTimeoutSeconds: 60, maxRequestBodyBytes: 1 << 16, reusePort: false }, async (request) => {
    if (request.method !== 'POST' || request.headers.get(TOKEN_HEADER) !== token) return new Response('forbidden\n', { status: 403 })
    supervisor?.onControl((await request.json()) as ControlMessage)
    return new Response('OK\n')
  })
  supervisor = new Supervisor({
    count: options.concurrency,
    controlUrl: `http://127.0.0.1:${control.port}/`,
    token,
    config,
    spawn: (env) => spawnWorker(env),
    log: (line) => options.write(`${line}\n`),
    onLive: ({ adminPort }) => onLive(adminPort),
  })

  const stats = options.stats ?? new StatsStore()
  const server = stats.server()
  server.concurrency.set(options.concurrency)
  const lifecycle = new ServerLifecycle(server)
  lifecycle.set('INITIALIZING')
  let generation: Generation = { version: 1, loadedAtMs: Date.now(), config }
  const reloadStats = stats.reload()
  reloadStats.version.set(1)
  const handles: ServerHandle[] = [control]
  let adminPort: number | undefined
  const drainListeners = async (graceful: boolean) => {
    lifecycle.set('DRAINING')
    await broadcast(supervisor, graceful ? '/drain_listeners?graceful' : '/drain_listeners')
  }
  // The primary's own copy answers /runtime; each worker reads the same layers and gets every admin change.
  const layeredRuntime = new LayeredRuntime(config.runtime, { serviceCluster: config.node.cluster, stats: stats.runtime() })
  layeredRuntime.start()
  const passAdminLayer = (values: Record<string, string>) => broadcast(supervisor, `/runtime_modify?${new URLSearchParams(values)}`)
  try {
    // The admin port is checked before any worker starts: a taken port is one message, not N.
    if (config.admin) {
      const admin = buildPrimaryAdmin({
        supervisor,
        stats,
        ...generationInfo({
          generation: () => generation,
          version: options.version,
          startedAtMs: startedAt,
          state: () => lifecycle.state,
          commandLineOptions: options.commandLineOptions,
          node: config.node,
          runtime,
        }),
        ready: () => lifecycle.state === 'LIVE' && supervisor.live().length > 0,
        listeners: () => generation.config.listeners.map((l) => ({ name: l.name, address: l.address, port: supervisor.ports[l.name] ?? l.port })),
        extraEndpoints: [...drainEndpoints({ drainListeners, reload: options.reload }), ...runtimeEndpoints({ runtime: layeredRuntime, afterModify: passAdminLayer })],
        logger: options.logger ?? new Logger(options.write),
      })
      onLive = (port) => {
        admin.onWorkerLive(port)
        // A (re)started worker begins with the file's layers: it gets the admin layer's overrides too.
        const overrides = layeredRuntime.adminValues()
        if (Object.keys(overrides).length > 0) void passAdminLayer(overrides)
      }
      const handle = await listen(runtime, 'admin', config.admin.address, config.admin.port, ADMIN_SERVE_OPTIONS, (request) => admin.app.fetch(request))
      handles.push(handle)
      adminPort = handle.port
    }
    // Before any worker binds with SO_REUSEPORT: a port another process holds is one message.
    await assertPortsFree(runtime, config.listeners)
    const failure = await supervisor.start()
    if (failure !== undefined) throw new WorkerStartError(failure)
  } catch (error) {
    await supervisor.stop(STOP_GRACE_MS)
    await Promise.all(handles.map((h) => h.close(true)))
    throw error
  }
  const ports = new Map(config.listeners.map((listener) => [listener.name, supervisor.ports[listener.name] ?? listener.port]))
  if (adminPort !== undefined) ports.set('admin', adminPort)
  lifecycle.set('LIVE')
  const uptime = setInterval(() => server.uptime.set(Math.floor((Date.now() - startedAt) / 1000)), 1000)
  ;(uptime as { unref?: () => void }).unref?.()

  return {
    ports,
    generation: () => generation,
    async apply(next) {
      const known = new Set(generation.config.listeners.map((l) => l.name))
      const unshareable = next.listeners.filter((l) => l.port === 0 && !known.has(l.name)).map((l) => l.name)
      // Each worker would get a port of its own: not one listener any more.
      if (unshareable.length) throw new Error(`listener(s) ${unshareable.join(', ')}: a listener added by a reload needs a fixed port with --concurrency > 1`)
      const held = new Set(generation.config.listeners.map((l) => `${l.address}:${l.port}`))
      // Ports this edgeway does not hold yet are probed like at startup; port 0 would differ per worker.
      await assertPortsFree(
        runtime,
        next.listeners.filter((l) => !held.has(`${l.address}:${l.port}`)),
      )
      supervisor.setConfig(next)
      const answers = await broadcast(supervisor, APPLY_PATH, () => JSON.stringify(next), 30_000)
      generation = { version: generation.version + 1, loadedAtMs: Date.now(), config: next }
      reloadStats.version.set(generation.version)
      if (answers.some((ok) => !ok)) options.write(`edgeway: ${answers.filter((ok) => !ok).length} worker(s) did not confirm config version ${generation.version}\n`)
    },
    async stop() {
      lifecycle.set('DRAINING')
      clearInterval(uptime)
      layeredRuntime.stop()
      // Every worker gets SIGTERM at once and drains on its own; the grace covers their drain.
      await supervisor.stop(drainTimeMs + STOP_GRACE_MS)
      await Promise.all(handles.map((h) => h.close(true)))
    },
  }
}

/** A worker failed to start (its message says why: a port in use, a worker that crashed). */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError'
}
