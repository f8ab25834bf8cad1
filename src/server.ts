// Assembles a running edgeway from a validated config: admin listener first (it answers /ready
// with INITIALIZING while clusters warm), clusters, then each listener once the clusters it routes
// to are warm. Afterwards it applies reloaded configs as new generations and drains on request.
// main.ts calls it for the CLI; integration tests call it to run in-process.

import type { Runtime, ServerHandle } from './runtime.ts'
import process from 'node:process'
import { Logger } from './log/logger.ts'
import { buildAdminApp, json, type AdminEndpoint } from './admin/admin-app.ts'
import { workersJson } from './admin/server-info.ts'
import { generationInfo } from './admin/generation-info.ts'
import { downstreamRequests, StatsStore } from './stats/stats-store.ts'
import type { Config } from './config/model.ts'
import { listen } from './listener/listen.ts'
import { InFlight } from './listener/drain.ts'
import { ListenerSet } from './listener/listener-set.ts'
import { ADMIN_SERVE_OPTIONS } from './listener/serve-options.ts'
import { unsupportedFeatures } from './listener/runtime-support.ts'
import { ConfigError } from './config/config-error.ts'
import { httpHealthProbe } from './upstream/health-probe.ts'
import type { RequestTracer } from './proxy/request-tracer.ts'
import { systemClock } from './upstream/clock.ts'
import { ClusterManager } from './upstream/cluster-manager.ts'
import type { ClusterSnapshot } from './upstream/cluster-snapshot.ts'
import { createResolver, createSystemResolver, type SystemResolverOptions } from './adapter/dns.ts'
import { ServerLifecycle } from './lifecycle/server-state.ts'
import { handlerFactory, type Generation } from './lifecycle/generation.ts'
import { applyGeneration, type ApplyResult } from './lifecycle/apply-generation.ts'
import { drainEndpoints } from './lifecycle/drain-endpoints.ts'
import { DEFAULT_DRAIN_TIME_MS } from './lifecycle/drain-time.ts'
import { LayeredRuntime } from './layered-runtime/layered-runtime.ts'
import { runtimeEndpoints } from './admin/runtime-endpoints.ts'
import { loadEnginesFor } from './lifecycle/config-engines.ts'
import type { AccessLogOutputs } from './access-log/outputs.ts'
import { defaultAccessLogOutputs } from './access-log/default-outputs.ts'

export type EdgewayOptions = {
  readonly runtime: Runtime
  readonly version: string
  readonly commandLineOptions: Record<string, unknown>
  readonly stats?: StatsStore
  readonly tracer?: RequestTracer
  /** stdout for access logs and notices. */
  readonly write: (chunk: string) => void
  /** stderr (Envoy's stderr access logger); default: stdout's writer. */
  readonly writeStderr?: (chunk: string) => void
  /** The access-log destinations (main.ts: stdout and stderr written by FdSink); default: buffers over `write` and `writeStderr`. */
  readonly accessLogs?: AccessLogOutputs
  readonly reusePort?: boolean
  /** Leveled logs by component (`--log-level`, admin /logging); default: info to `write`. */
  readonly logger?: Logger
  /** Where clusters without dns_resolvers read resolv.conf and the hosts file (default /etc/...). */
  readonly systemDns?: Pick<SystemResolverOptions, 'resolvConfPath' | 'hostsPath'>
  /** --drain-time-s in ms: how long a drain lets requests in flight finish. */
  readonly drainTimeMs?: number
  /** `POST /reload` (and SIGHUP, wired in main.ts): re-reads the config file(s). */
  readonly reload?: () => Promise<unknown>
  /** Envoy's layered runtime, shared with the tracer; default: built from config.runtime. */
  readonly layeredRuntime?: LayeredRuntime
  /** Admin endpoints beyond the standard ones (a worker's snapshot for its primary). */
  readonly adminEndpoints?: (sources: { stats: StatsStore; clusters: () => readonly ClusterSnapshot[] }) => readonly AdminEndpoint[]
}

export type RunningEdgeway = {
  readonly stats: StatsStore
  readonly clusters: ClusterManager
  readonly lifecycle: ServerLifecycle
  readonly layeredRuntime: LayeredRuntime
  /** Bound ports by listener name (`admin` for the admin listener). */
  readonly ports: ReadonlyMap<string, number>
  generation(): Generation
  /** Swaps in a validated config as the next generation (listeners added/removed/rebound, clusters diffed). */
  apply(config: Config): Promise<ApplyResult>
  /** SIGTERM: DRAINING, `connection: close`, in-flight finishes (≤ drainTimeMs), listeners close; then stop(). */
  drain(drainTimeMs?: number): Promise<void>
  /** `POST /drain_listeners`: stop accepting now, or after a drain window when graceful; the process stays. */
  drainListeners(graceful: boolean): Promise<void>
  stop(): Promise<void>
}

export async function startEdgeway(config: Config, options: EdgewayOptions): Promise<RunningEdgeway> {
  const { runtime } = options
  const unsupported = unsupportedFeatures(config, runtime)
  if (unsupported.length) throw new ConfigError('config', unsupported)
  await loadEnginesFor(config)
  const stats = options.stats ?? new StatsStore()
  const logger = options.logger ?? new Logger(options.write)
  const log = (line: string) => options.write(`${line}\n`)
  const startedAt = Date.now()
  const drainTimeMs = options.drainTimeMs ?? DEFAULT_DRAIN_TIME_MS
  const server = stats.server()
  server.concurrency.set(1)
  const lifecycle = new ServerLifecycle(server)
  lifecycle.set('INITIALIZING')
  let generation: Generation = { version: 1, loadedAtMs: Date.now(), config }
  const reloadStats = stats.reload()
  reloadStats.version.set(1)
  reloadStats.last_updated_epoch_s.set(Math.floor(generation.loadedAtMs / 1000))
  const clusters = new ClusterManager(config.clusters, {
    resolverFor: (cluster) =>
      cluster.dnsResolvers.length > 0
        ? createResolver(cluster.dnsResolvers, { family: cluster.dnsLookupFamily })
        : createSystemResolver({ ...options.systemDns, family: cluster.dnsLookupFamily }),
    stats,
    clock: systemClock,
    probe: httpHealthProbe(runtime),
    log,
  })
  const inFlight = new InFlight()
  // Envoy reads layered_runtime from the bootstrap once: a reload keeps this one (and its admin layer).
  const layeredRuntime = options.layeredRuntime ?? new LayeredRuntime(config.runtime, { serviceCluster: config.node.cluster, stats: stats.runtime() })
  layeredRuntime.start()
  // Aborted when a drain's time is up: fault delays still running end then (Deno's server waits for every request).
  const drainDeadline = new AbortController()
  const accessLogs = options.accessLogs ?? defaultAccessLogOutputs({ write: options.write, ...(options.writeStderr && { writeStderr: options.writeStderr }), log })
  const handlerFor = handlerFactory({ runtime, stats, clusters, tracer: options.tracer, write: options.write, ...(options.writeStderr && { writeStderr: options.writeStderr }), log, accessLogs, routerLog: logger.component('router'), inFlight, closeConnections: () => lifecycle.closeConnections(), env: (name) => runtime.env(name), layeredRuntime, drainDeadline: drainDeadline.signal, node: config.node })
  const listeners = new ListenerSet(runtime, options.reusePort ?? false)
  const listenerStats = stats.listenerManager()
  let adminHandle: ServerHandle | undefined
  const ports = (): Map<string, number> => {
    const bound = listeners.ports()
    if (adminHandle) bound.set('admin', adminHandle.port)
    return bound
  }

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    clearInterval(uptime)
    layeredRuntime.stop()
    clusters.stop()
    await listeners.closeAll(0)
    await adminHandle?.close(true)
    // The last requests' lines: a drain ends here, and so does a stop without one.
    accessLogs.flush()
  }
  const drain = async (timeMs = drainTimeMs) => {
    lifecycle.set('DRAINING')
    const deadline = Date.now() + timeMs
    await Promise.race([inFlight.idle(), new Promise((resolve) => setTimeout(resolve, timeMs))])
    listenerStats.listener_stopped.inc(listeners.names().length)
    drainDeadline.abort()
    await listeners.closeAll(deadline - Date.now())
    await stop()
  }
  const drainListeners = async (graceful: boolean) => {
    lifecycle.set('DRAINING')
    if (graceful) {
      lifecycle.listenersDraining = true
      listenerStats.total_listeners_draining.set(listeners.names().length)
      await new Promise((resolve) => setTimeout(resolve, drainTimeMs))
    }
    listenerStats.listener_stopped.inc(listeners.names().length)
    listenerStats.listener_drained.inc(listeners.names().length)
    drainDeadline.abort()
    await listeners.closeAll(drainTimeMs)
    listenerStats.total_listeners_draining.set(0)
    listenerStats.total_listeners_active.set(0)
  }

  const uptime = setInterval(() => {
    server.uptime.set(Math.floor((Date.now() - startedAt) / 1000))
    // Envoy flushes stats every 5 s: that closes the histograms' interval (`P50(interval,cumulative)`).
    if (Math.floor((Date.now() - startedAt) / 1000) % 5 === 0) stats.flushHistograms()
  }, 1000)
  ;(uptime as { unref?: () => void }).unref?.()

  try {
    if (config.admin) {
      const admin = buildAdminApp({
        stats,
        clusters: () => clusters.snapshot(),
        listeners: () => listeners.names().map((name) => ({ name, address: listeners.config(name)!.address, port: listeners.ports().get(name)! })),
        memory: () => process.memoryUsage(),
        logging: { levels: () => logger.levels(), apply: (query) => logger.apply(query) },
        ...generationInfo({
          generation: () => generation,
          version: options.version,
          startedAtMs: startedAt,
          state: () => lifecycle.state,
          commandLineOptions: options.commandLineOptions,
          node: config.node,
          runtime,
        }),
        healthcheck: {
          fail: () => void (lifecycle.healthcheckFailed = true),
          ok: () => void (lifecycle.healthcheckFailed = false),
          failing: () => lifecycle.healthcheckFailed,
        },
        ready: () => lifecycle.state === 'LIVE',
        extraEndpoints: [
          {
            path: '/workers',
            method: 'GET',
            help: 'worker processes: index, pid, state, restarts, requests',
            handle: () =>
              json(workersJson([{ index: 0, pid: process.pid, state: lifecycle.state === 'LIVE' ? 'live' : 'starting', restarts: 0, downstreamRqTotal: downstreamRequests(stats.all()) }])),
          },
          ...drainEndpoints({ drainListeners, reload: options.reload }),
          ...runtimeEndpoints({ runtime: layeredRuntime }),
          ...(options.adminEndpoints?.({ stats, clusters: () => clusters.snapshot() }) ?? []),
        ],
      })
      adminHandle = await listen(runtime, 'admin', config.admin.address, config.admin.port, ADMIN_SERVE_OPTIONS, (request) => admin.fetch(request))
    }
    // Discovery starts now; each listener below waits for its own clusters, bounded by initial_fetch_timeout.
    void clusters.start()
    await applyGeneration({ listeners, clusters, handlerFor, log, stats: listenerStats, drainTimeMs }, undefined, config)
  } catch (error) {
    await stop()
    throw error
  }
  lifecycle.set('LIVE')

  return {
    stats,
    clusters,
    lifecycle,
    layeredRuntime,
    get ports() {
      return ports()
    },
    generation: () => generation,
    async apply(next) {
      await loadEnginesFor(next)
      const result = await applyGeneration({ listeners, clusters, handlerFor, log, stats: listenerStats, drainTimeMs }, generation.config, next)
      generation = { version: generation.version + 1, loadedAtMs: Date.now(), config: next }
      reloadStats.version.set(generation.version)
      reloadStats.last_updated_epoch_s.set(Math.floor(generation.loadedAtMs / 1000))
      return result
    },
    drain,
    drainListeners,
    stop,
  }
}
