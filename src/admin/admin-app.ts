// The admin listener's app (Envoy's admin endpoints). Served on its own loopback listener,
// never mounted on a public one: it can fail health checks and reset counters.

import { adminRouter, type AdminApp, type AdminContext, type AdminEndpoint } from './admin-router.ts'
import type { ClusterConfig, ListenerConfig } from '../config/model.ts'
import type { ClusterSnapshot } from '../upstream/cluster-snapshot.ts'
import { certsJson, redactPrivateKeys } from './certs.ts'
import { clustersJson, renderClustersText } from './clusters-text.ts'
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './prometheus.ts'
import { currentState, serverInfoJson, type ServerInfo } from './server-info.ts'
import type { StatsStore } from '../stats/stats-store.ts'
import { listenersJson, renderListenersText, type ListenerRow } from './listeners-text.ts'
import { memoryJson, type MemoryUsage } from './memory-json.ts'
import { renderLoggers, type LoggingControl } from './logging.ts'
import { histogramsJson, renderHistogramsText, renderPrometheusHistograms } from './histograms-text.ts'
import { renderStatsText, selectStats, statsJson } from './stats-text.ts'
import { loadSafeRegex } from '../regex/safe-regex.ts'

export type AdminDeps = {
  stats: StatsStore
  clusters: () => readonly ClusterSnapshot[]
  /** Listeners with their bound addresses (`port: 0` resolved). */
  listeners: () => readonly ListenerRow[]
  /** This process's memory (the primary's own with workers: each worker is a process of its own). */
  memory: () => MemoryUsage
  /** Log levels per component (GET/POST /logging). */
  logging: LoggingControl
  /** The effective config (model) as JSON; private keys are redacted here. */
  /** A promise when the dump's code is loaded on first use (generation-info.ts). */
  configDump: () => unknown
  /** Listeners whose TLS certificates /certs lists. */
  tlsListeners?: () => readonly ListenerConfig[]
  /** Clusters with upstream TLS: their CA and client certificate join /certs. */
  tlsClusters?: () => readonly ClusterConfig[]
  serverInfo: () => ServerInfo
  /** A primary broadcasts fail/ok to its workers, hence the promises. */
  healthcheck: { fail(): void | Promise<void>; ok(): void | Promise<void>; failing(): boolean }
  ready: () => boolean
  /** Runs before each admin request (path given): a primary gathers its workers' stats and clusters here. */
  refresh?: (path: string) => Promise<void>
  /** Default: `stats.reset()`. A primary resets every worker's counters. */
  resetCounters?: () => void | Promise<void>
  /** Endpoints beyond Envoy's (`/workers`), listed in the help text like the others. */
  extraEndpoints?: readonly AdminEndpoint[]
}

export type { AdminApp, AdminContext, AdminEndpoint }

const TEXT = 'text/plain; charset=UTF-8'
const JSON_TYPE = 'application/json'

export function buildAdminApp(deps: AdminDeps): AdminApp {
  const endpoints: AdminEndpoint[] = [
    { path: '/', method: 'GET', help: 'print admin commands', handle: () => text(helpText(endpoints)) },
    { path: '/help', method: 'GET', help: 'print admin commands', handle: () => text(helpText(endpoints)) },
    { path: '/ready', method: 'GET', help: 'print server state, 200 only when LIVE', handle: () => ready(deps) },
    { path: '/server_info', method: 'GET', help: 'print server version, state, uptime and options', handle: () => serverInfo(deps) },
    { path: '/stats', method: 'GET', help: 'print server stats (?filter=regex, ?usedonly, ?format=json|prometheus)', handle: filtered((c) => stats(c, deps)) },
    { path: '/stats/prometheus', method: 'GET', help: 'print server stats in Prometheus format', handle: filtered((c) => prometheus(c, deps)) },
    { path: '/clusters', method: 'GET', help: 'upstream cluster status (?format=json)', handle: (c) => clusters(c, deps) },
    { path: '/listeners', method: 'GET', help: 'print listener names and bound addresses (?format=json)', handle: (c) => listeners(c, deps) },
    { path: '/memory', method: 'GET', help: 'print current allocation and heap usage (JSON)', handle: () => json(memoryJson(deps.memory())) },
    { path: '/logging', method: 'GET', help: 'list the loggers and their levels', handle: () => text(renderLoggers(deps.logging)) },
    { path: '/logging', method: 'POST', help: 'change log levels: ?level=debug (all) or ?router=debug&upstream=trace', handle: (c) => changeLogging(c, deps) },
    { path: '/config_dump', method: 'GET', help: 'dump the effective configuration', handle: async () => json(redactPrivateKeys(await deps.configDump())) },
    { path: '/certs', method: 'GET', help: 'print certificates on the machine', handle: () => json(certsJson(deps.tlsListeners?.() ?? [], Date.now(), deps.tlsClusters?.() ?? [])) },
    { path: '/healthcheck/fail', method: 'POST', help: 'cause the server to fail health checks (drain)', handle: () => ok(() => deps.healthcheck.fail()) },
    { path: '/healthcheck/ok', method: 'POST', help: 'cause the server to pass health checks', handle: () => ok(() => deps.healthcheck.ok()) },
    { path: '/reset_counters', method: 'POST', help: 'reset all counters to zero', handle: () => ok(() => (deps.resetCounters ? deps.resetCounters() : deps.stats.reset())) },
    ...(deps.extraEndpoints ?? []),
  ]

  // Mutations need POST (as Envoy) so a stray GET from a browser or crawler cannot drain the server.
  return adminRouter(endpoints, {
    ...(deps.refresh && { before: deps.refresh }),
    methodNotAllowed: (path, methods) => {
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ')
      return text(`Method not allowed: use ${methods.join(' or ')} ${path}\n`, 405, { allow })
    },
    notFound: () => text(`invalid path. ${helpText(endpoints)}`, 404),
    error: (error) => text(`admin error: ${error instanceof Error ? error.message : String(error)}\n`, 500),
  })
}

function helpText(endpoints: readonly AdminEndpoint[]): string {
  const lines = endpoints.map(({ path, method, help }) => `  ${method === 'POST' ? 'POST ' : ''}${path}: ${help}`)
  return `admin commands are:\n${lines.join('\n')}\n`
}

function ready(deps: AdminDeps): Response {
  const state = currentState({ info: deps.serverInfo(), failing: deps.healthcheck.failing(), ready: deps.ready() })
  return text(`${state}\n`, state === 'LIVE' ? 200 : 503)
}

function serverInfo(deps: AdminDeps): Response {
  const info = deps.serverInfo()
  const state = currentState({ info, failing: deps.healthcheck.failing(), ready: deps.ready() })
  return json(serverInfoJson(info, state))
}

function stats(c: AdminContext, deps: AdminDeps): Response {
  const format = c.req.query('format') ?? 'text'
  if (format !== 'text' && format !== 'json' && format !== 'prometheus') {
    return text(`usage: /stats?format=(text|json|prometheus)\n`, 400)
  }
  if (format === 'prometheus') return prometheus(c, deps)
  const selection = select(c, deps)
  if (!selection.ok) return text(`${selection.error}\n`, 400)
  const { counters, histograms } = selection
  if (format === 'json') return json({ stats: [...statsJson(counters).stats, ...(histograms.length ? [histogramsJson(histograms)] : [])] })
  return text(renderStatsText(counters) + renderHistogramsText(histograms))
}

function prometheus(c: AdminContext, deps: AdminDeps): Response {
  const selection = select(c, deps)
  if (!selection.ok) return text(`${selection.error}\n`, 400)
  const names = clusterNames(deps)
  return prometheusResponse(renderPrometheus(selection.counters, names) + renderPrometheusHistograms(selection.histograms, names))
}

/** `?filter=` is an RE2 pattern: re2js loads with the first one (the serving process holds it only if asked). */
function filtered(handle: (c: AdminContext) => Response): (c: AdminContext) => Promise<Response> {
  return async (c) => {
    if (c.req.query('filter') !== undefined) await loadSafeRegex()
    return handle(c)
  }
}

/** Counters, gauges and histograms through the same `?filter` and `?usedonly`. */
function select(c: AdminContext, deps: AdminDeps) {
  const filter = c.req.query('filter')
  const usedOnly = c.req.query('usedonly') !== undefined
  const counters = selectStats(deps.stats.all(), filter, usedOnly)
  if (!counters.ok) return counters
  const histograms = selectStats(deps.stats.histograms(), filter, usedOnly)
  if (!histograms.ok) return histograms
  return { ok: true as const, counters: counters.stats, histograms: histograms.stats }
}

function clusters(c: AdminContext, deps: AdminDeps): Response {
  const snapshots = deps.clusters()
  return c.req.query('format') === 'json' ? json(clustersJson(snapshots)) : text(renderClustersText(snapshots))
}

async function changeLogging(c: AdminContext, deps: AdminDeps): Promise<Response> {
  const problems = await deps.logging.apply(c.req.query())
  if (problems.length > 0) return text(`${problems.join('\n')}\n${renderLoggers(deps.logging)}`, 400)
  return text(renderLoggers(deps.logging))
}

function listeners(c: AdminContext, deps: AdminDeps): Response {
  const rows = deps.listeners()
  return c.req.query('format') === 'json' ? json(listenersJson(rows)) : text(renderListenersText(rows))
}

function clusterNames(deps: AdminDeps): string[] {
  return deps.clusters().map((cluster) => cluster.name)
}

async function ok(action: () => void | Promise<void>): Promise<Response> {
  await action()
  return text('OK\n')
}

function text(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': TEXT, ...headers } })
}

export function json(value: unknown): Response {
  return new Response(`${JSON.stringify(value, null, 2)}\n`, { headers: { 'content-type': JSON_TYPE } })
}

function prometheusResponse(body: string): Response {
  return new Response(body, { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } })
}
