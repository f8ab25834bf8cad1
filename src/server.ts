// Assembles a running edgeway from a validated config: clusters, one proxy handler per listener,
// the admin listener. main.ts calls it for the CLI; integration tests call it to run in-process.

import { hostname } from 'node:os'
import type { Runtime, ServerHandle } from './runtime.ts'
import process from 'node:process'
import { Logger } from './log/logger.ts'
import { buildAdminApp, json, type AdminEndpoint } from './admin/admin-app.ts'
import { serverInfoOf, workersJson } from './admin/server-info.ts'
import { downstreamRequests, StatsStore } from './stats/stats-store.ts'
import { batchedWriter, formatJson, formatText } from './access-log.ts'
import type { Config } from './config/model.ts'
import { buildListenerHandler } from './listener/guard.ts'
import { listen } from './listener/listen.ts'
import { ADMIN_SERVE_OPTIONS, listenerServeOptions } from './listener/serve-options.ts'
import { httpHealthProbe } from './upstream/health-probe.ts'
import { createProxyHandler } from './proxy/proxy-handler.ts'
import type { RequestTracer } from './proxy/request-tracer.ts'
import { RouteTable } from './routing/route-table.ts'
import { systemClock } from './upstream/clock.ts'
import { ClusterManager } from './upstream/cluster-manager.ts'
import type { ClusterSnapshot } from './upstream/cluster-snapshot.ts'
import { createResolver, createSystemResolver, type SystemResolverOptions } from './adapter/dns.ts'

export type EdgewayOptions = {
  readonly runtime: Runtime
  readonly version: string
  readonly commandLineOptions: Record<string, unknown>
  readonly stats?: StatsStore
  readonly tracer?: RequestTracer
  /** stdout for access logs and notices. */
  readonly write: (chunk: string) => void
  readonly reusePort?: boolean
  /** Leveled logs by component (`--log-level`, admin /logging); default: info to `write`. */
  readonly logger?: Logger
  /** Where clusters without dns_resolvers read resolv.conf and the hosts file (default /etc/...). */
  readonly systemDns?: Pick<SystemResolverOptions, 'resolvConfPath' | 'hostsPath'>
  /** Admin endpoints beyond the standard ones (a worker's snapshot for its primary). */
  readonly adminEndpoints?: (sources: { stats: StatsStore; clusters: () => readonly ClusterSnapshot[] }) => readonly AdminEndpoint[]
}

export type RunningEdgeway = {
  readonly stats: StatsStore
  readonly clusters: ClusterManager
  /** Bound ports by listener name (`admin` for the admin listener). */
  readonly ports: ReadonlyMap<string, number>
  stop(): Promise<void>
}

export async function startEdgeway(config: Config, options: EdgewayOptions): Promise<RunningEdgeway> {
  const { runtime } = options
  const stats = options.stats ?? new StatsStore()
  const logger = options.logger ?? new Logger(options.write)
  const log = (line: string) => options.write(`${line}\n`)
  const startedAt = Date.now()
  let failingHealthchecks = false
  let live = false
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
  const server = stats.server()
  server.concurrency.set(1)
  // Envoy warms clusters before its listeners take traffic.
  await clusters.start()

  const handles: ServerHandle[] = []
  const ports = new Map<string, number>()
  const accessLogWriter = batchedWriter(options.write)
  try {
    for (const listener of config.listeners) {
      const format = listener.accessLog.format === 'json' ? formatJson : formatText
      const handler = createProxyHandler({
        listener,
        routes: new RouteTable(listener.virtualHosts),
        clusters,
        runtime,
        stats: stats.listener(listener.statPrefix),
        accessLog: listener.accessLog.enabled ? (entry) => accessLogWriter(format(entry)) : undefined,
        tracer: options.tracer,
        hostname: hostname(),
        fetch: runtime.upstreamFetch,
        classify: runtime.classifyUpstreamError,
        now: () => performance.now(),
        random: Math.random,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      })
      const handle = await listen(runtime, listener.name, listener.address, listener.port, listenerServeOptions(listener, options.reusePort), buildListenerHandler(handler, log))
      handles.push(handle)
      ports.set(listener.name, handle.port)
    }
    if (config.admin) {
      const admin = buildAdminApp({
        stats,
        clusters: () => clusters.snapshot(),
        listeners: () => config.listeners.map((l) => ({ name: l.name, address: l.address, port: ports.get(l.name) ?? l.port })),
        memory: () => process.memoryUsage(),
        logging: { levels: () => logger.levels(), apply: (query) => logger.apply(query) },
        configDump: () => config,
        serverInfo: serverInfoOf({ version: options.version, startedAtMs: startedAt, live: () => live, commandLineOptions: options.commandLineOptions, node: config.node, runtime }),
        healthcheck: {
          fail: () => void (failingHealthchecks = true),
          ok: () => void (failingHealthchecks = false),
          failing: () => failingHealthchecks,
        },
        ready: () => live,
        extraEndpoints: [
          {
            path: '/workers',
            method: 'GET',
            help: 'worker processes: index, pid, state, restarts, requests',
            handle: () =>
              json(workersJson([{ index: 0, pid: process.pid, state: live ? 'live' : 'starting', restarts: 0, downstreamRqTotal: downstreamRequests(stats.all()) }])),
          },
          ...(options.adminEndpoints?.({ stats, clusters: () => clusters.snapshot() }) ?? []),
        ],
      })
      const handle = await listen(runtime, 'admin', config.admin.address, config.admin.port, ADMIN_SERVE_OPTIONS, (request) =>
        admin.fetch(request),
      )
      handles.push(handle)
      ports.set('admin', handle.port)
    }
  } catch (error) {
    clusters.stop()
    await Promise.all(handles.map((h) => h.close(true)))
    throw error
  }
  live = true
  server.live.set(1)
  server.state.set(0)
  // Envoy flushes stats every 5 s: that closes the histograms' interval (`P50(interval,cumulative)`).
  let ticks = 0
  const uptime = setInterval(() => {
    server.uptime.set(Math.floor((Date.now() - startedAt) / 1000))
    if (++ticks % 5 === 0) stats.flushHistograms()
  }, 1000)
  ;(uptime as { unref?: () => void }).unref?.()

  return {
    stats,
    clusters,
    ports,
    async stop() {
      live = false
      clearInterval(uptime)
      clusters.stop()
      await Promise.all(handles.map((h) => h.close(true)))
    },
  }
}
