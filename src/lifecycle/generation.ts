// A configuration generation: one validated config, numbered and timestamped, with the request
// handler of each of its listeners. A reload builds the next generation whole and swaps it in;
// requests already running keep the handler (routes, cluster lookups) they started with.

import { hostname } from 'node:os'
import { listenerAccessLog } from '../access-log/listener-format.ts'
import { defaultAccessLogOutputs } from '../access-log/default-outputs.ts'
import type { AccessLogOutputs } from '../access-log/outputs.ts'
import type { Config, ListenerConfig } from '../config/model.ts'
import { buildListenerHandler } from '../listener/guard.ts'
import { drainable, type InFlight } from '../listener/drain.ts'
import type { ComponentLogger } from '../log/logger.ts'
import { createProxyHandler } from '../proxy/proxy-handler.ts'
import { FaultFilter } from '../proxy/fault/fault-filter.ts'
import { hasFaults } from '../config/to-model-fault.ts'
import type { LayeredRuntime } from '../layered-runtime/layered-runtime.ts'
import type { RequestTracer } from '../proxy/request-tracer.ts'
import { RouteTable } from '../routing/route-table.ts'
import type { FetchHandler, Runtime } from '../runtime.ts'
import type { StatsStore } from '../stats/stats-store.ts'
import type { ClusterManager } from '../upstream/cluster-manager.ts'
import { TimerQueue } from '../upstream/timer-queue.ts'

export type Generation = {
  readonly version: number
  readonly loadedAtMs: number
  readonly config: Config
}

export type HandlerDeps = {
  readonly runtime: Runtime
  readonly stats: StatsStore
  readonly clusters: ClusterManager
  readonly tracer: RequestTracer | undefined
  readonly write: (chunk: string) => void
  /** stderr, for Envoy's stderr access logger. */
  readonly writeStderr?: (chunk: string) => void
  readonly log: (line: string) => void
  /** The access-log destinations (buffered, flushed on the way out); default: buffers over `write`, `writeStderr` and appended files. */
  readonly accessLogs?: AccessLogOutputs
  /** The router logger handed to each listener's request path. */
  readonly routerLog?: ComponentLogger
  readonly inFlight: InFlight
  readonly closeConnections: () => boolean
  /** For %ENVIRONMENT(X)% in access-log formats. */
  readonly env?: (name: string) => string | undefined
  /** The process's layered runtime (the fault filter's keys). */
  readonly layeredRuntime: LayeredRuntime
  /** Aborted when a drain's time is up: the fault filter's delays end then. */
  readonly drainDeadline?: AbortSignal
  /** The node (`--service-cluster`, `--service-node`), for listeners with add_user_agent. */
  readonly node?: { readonly cluster: string; readonly id: string }
}

/** Builds listener handlers; one access-log writer for all of them, across generations. */
export function handlerFactory(deps: HandlerDeps): (listener: ListenerConfig) => FetchHandler {
  // A destination keeps its buffer across generations: a reload reopens nothing and reorders nothing.
  const accessLogs = deps.accessLogs ?? defaultAccessLogOutputs(deps)
  const host = hostname()
  // Every attempt's deadline, on one runtime timer (timer-queue.ts: ~1.4 µs a pair saved on Deno).
  const attemptTimers = new TimerQueue(() => performance.now())
  return (listener) => {
    const log = listenerAccessLog(listener, { hostname: host, env: deps.env ?? (() => undefined) })
    const writeLog = log && accessLogs.loggerFor(listener.accessLog.path, log)
    const stats = deps.stats.listener(listener.statPrefix)
    const proxy = createProxyHandler({
      listener,
      routes: new RouteTable(listener.virtualHosts),
      clusters: deps.clusters,
      runtime: deps.runtime,
      stats,
      accessLog: writeLog,
      accessLogNeedsPeer: log?.needsPeer ?? false,
      // A configured log_format may read the request's headers (%REQ()%) when the request is done.
      accessLogReadsRequest: listener.accessLog.enabled && (listener.accessLog.textFormat !== undefined || listener.accessLog.jsonFormat !== undefined),
      tracer: deps.tracer,
      hostname: host,
      ...(deps.node && { node: deps.node }),
      ...(deps.routerLog && { log: deps.routerLog }),
      ...(hasFaults(listener) && { faults: new FaultFilter(listener, { runtime: deps.layeredRuntime, stats: deps.stats.fault(listener.statPrefix), random: Math.random, ...(deps.drainDeadline && { drainDeadline: deps.drainDeadline }) }) }),
      fetch: deps.runtime.upstreamFetch,
      classify: deps.runtime.classifyUpstreamError,
      now: () => performance.now(),
      random: Math.random,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      timers: attemptTimers,
    })
    return drainable(buildListenerHandler(proxy, deps.log), {
      inFlight: deps.inFlight,
      closeConnections: deps.closeConnections,
      onDrainClose: () => stats.downstream_cx_drain_close.inc(),
    })
  }
}

/** The clusters a listener's routes can send to: what it waits on before accepting. */
export function clustersOf(listener: ListenerConfig): Set<string> {
  const names = new Set<string>()
  for (const virtualHost of listener.virtualHosts) {
    for (const route of virtualHost.routes) {
      if (route.cluster !== undefined) names.add(route.cluster)
      for (const weighted of route.weightedClusters ?? []) names.add(weighted.name)
    }
  }
  return names
}

/** A listener whose socket must be rebound: its address or port changed. */
export function socketChanged(before: ListenerConfig, after: ListenerConfig): boolean {
  return before.address !== after.address || before.port !== after.port || before.idleTimeoutMs !== after.idleTimeoutMs
}
