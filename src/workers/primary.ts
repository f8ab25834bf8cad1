// `--concurrency N` with N > 1: this process spawns N workers that share the listener ports,
// serves the admin listener over their summed stats, restarts a worker that dies, and stops
// them all on SIGTERM/SIGINT. It serves no listener traffic itself.

import { randomUUID } from 'node:crypto'
import type { Runtime, ServerHandle } from '../runtime.ts'
import { spawnWorker } from '../adapter/worker-process.ts'
import { serverInfoOf } from '../admin/server-info.ts'
import { StatsStore } from '../stats/stats-store.ts'
import type { Config } from '../config/model.ts'
import { listen } from '../listener/listen.ts'
import { assertPortsFree } from '../listener/port-guard.ts'
import { ADMIN_SERVE_OPTIONS } from '../listener/serve-options.ts'
import { Logger } from '../log/logger.ts'
import { buildPrimaryAdmin } from './primary-admin.ts'
import { TOKEN_HEADER, type ControlMessage } from './protocol.ts'
import { Supervisor } from './supervisor.ts'

/** Long enough for a worker to flush its last spans; then SIGKILL. */
export const STOP_GRACE_MS = 8000

export type PrimaryOptions = {
  readonly runtime: Runtime
  readonly concurrency: number
  readonly version: string
  readonly commandLineOptions: Record<string, unknown>
  readonly write: (chunk: string) => void
  /** The primary's own loggers; /logging changes reach every worker too. */
  readonly logger?: Logger
}

export type RunningPrimary = {
  /** Bound ports by listener name (`admin` for the admin listener), as the startup line prints them. */
  readonly ports: ReadonlyMap<string, number>
  stop(): Promise<void>
}

/** Throws ListenError (admin port) or WorkerStartError (a worker could not start): nothing is left running. */
export async function startPrimary(config: Config, options: PrimaryOptions): Promise<RunningPrimary> {
  const { runtime } = options
  const startedAt = Date.now()
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

  const stats = new StatsStore()
  const server = stats.server()
  server.concurrency.set(options.concurrency)
  let live = false
  const handles: ServerHandle[] = [control]
  let adminPort: number | undefined
  try {
    // The admin port is checked before any worker starts: a taken port is one message, not N.
    if (config.admin) {
      const admin = buildPrimaryAdmin({
        supervisor,
        stats,
        config,
        serverInfo: serverInfoOf({ version: options.version, startedAtMs: startedAt, live: () => live, commandLineOptions: options.commandLineOptions, node: config.node, runtime }),
        ready: () => live && supervisor.live().length > 0,
        logger: options.logger ?? new Logger(options.write),
        listeners: () => config.listeners.map((l) => ({ name: l.name, address: l.address, port: supervisor.ports[l.name] ?? l.port })),
      })
      onLive = admin.onWorkerLive
      const handle = await listen(runtime, 'admin', config.admin.address, config.admin.port, ADMIN_SERVE_OPTIONS, (request) =>
        admin.app.fetch(request),
      )
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
  live = true
  server.live.set(1)
  const uptime = setInterval(() => server.uptime.set(Math.floor((Date.now() - startedAt) / 1000)), 1000)
  ;(uptime as { unref?: () => void }).unref?.()

  return {
    ports,
    async stop() {
      live = false
      clearInterval(uptime)
      await supervisor.stop(STOP_GRACE_MS)
      await Promise.all(handles.map((h) => h.close(true)))
    },
  }
}

/** A worker failed to start (its message says why: a port in use, a worker that crashed). */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError'
}
