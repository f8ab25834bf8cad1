// Counters and gauges, grouped into typed scopes (cluster.<name>., http.<prefix>., tracing.zipkin.).
// Plain numbers in a Map: the request path pays one property increment per stat.

import { Histogram } from './histogram.ts'
import { SslStats } from './ssl-stats.ts'
import {
  CIRCUIT_BREAKER_REMAINING_GAUGES,
  type CircuitBreakerRemainingGauge,
  CLUSTER_COUNTERS,
  CLUSTER_GAUGES,
  CLUSTER_HISTOGRAMS,
  FAULT_COUNTERS,
  FAULT_GAUGES,
  type FaultCounter,
  type FaultGauge,
  LISTENER_COUNTERS,
  LISTENER_GAUGES,
  LISTENER_HISTOGRAMS,
  SERVER_GAUGES,
  LISTENER_MANAGER_COUNTERS,
  LISTENER_MANAGER_GAUGES,
  RELOAD_COUNTERS,
  RELOAD_GAUGES,
  RUNTIME_COUNTERS,
  RUNTIME_GAUGES,
  type RuntimeCounter,
  type RuntimeGauge,
  XDS_COUNTERS,
  type XdsCounter,
  type ListenerManagerCounter,
  type ListenerManagerGauge,
  type ReloadCounter,
  type ReloadGauge,
  TRACING_COUNTERS,
  type ClusterCounter,
  type ClusterGauge,
  type ClusterHistogram,
  type ListenerCounter,
  type ListenerGauge,
  type ListenerHistogram,
  type ServerGauge,
  type TracingCounter,
} from './stat-names.ts'

export type StatKind = 'counter' | 'gauge'

export class Stat {
  value = 0
  constructor(readonly name: string, readonly kind: StatKind) {}
  inc(by = 1): void {
    this.value += by
  }
  dec(by = 1): void {
    this.value -= by
  }
  set(value: number): void {
    this.value = value
  }
}

export type Scope<C extends string, G extends string> = { readonly [K in C | G]: Stat }
type Histograms<H extends string> = { readonly [K in H]: Histogram }

export type ClusterStats = Scope<ClusterCounter, ClusterGauge> & Histograms<ClusterHistogram> & {
  /** Per-status-code counter, `upstream_rq_200`, created on first use. */
  code(status: number): Stat
  /** The `circuit_breakers.default.remaining_*` gauges, created when asked for (track_remaining). */
  remaining(): Scope<never, CircuitBreakerRemainingGauge>
  /** `ssl.*`, made on first call (the cluster manager calls it for a TLS cluster, so they show from the start). */
  ssl(): SslStats
}
export type ListenerStats = Scope<ListenerCounter, ListenerGauge> & Histograms<ListenerHistogram>
export type FaultStats = Scope<FaultCounter, FaultGauge> & {
  /** `<prefix>fault.<downstream cluster>.aborts_injected|delays_injected`, created on first use. */
  downstream(cluster: string): Scope<'aborts_injected' | 'delays_injected', never>
}
export type TracingStats = Scope<TracingCounter, never>
export type ServerStats = Scope<never, ServerGauge>
export type ListenerManagerStats = Scope<ListenerManagerCounter, ListenerManagerGauge>
export type ReloadStats = Scope<ReloadCounter, ReloadGauge>
export type RuntimeStats = Scope<RuntimeCounter, RuntimeGauge>
export type XdsStats = Scope<XdsCounter, never>

export class StatsStore {
  readonly #stats = new Map<string, Stat>()
  readonly #histograms = new Map<string, Histogram>()

  histogram(name: string): Histogram {
    let histogram = this.#histograms.get(name)
    if (!histogram) this.#histograms.set(name, (histogram = new Histogram(name)))
    return histogram
  }

  /** Every histogram, sorted by name. */
  histograms(): Histogram[] {
    return [...this.#histograms.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Closes the current histogram interval (Envoy's stats flush, every 5 s by default). */
  flushHistograms(): void {
    for (const histogram of this.#histograms.values()) histogram.flush()
  }

  get(name: string, kind: StatKind = 'counter'): Stat {
    let stat = this.#stats.get(name)
    if (!stat) {
      stat = new Stat(name, kind)
      this.#stats.set(name, stat)
    }
    return stat
  }

  /** Every stat, sorted by name, as Envoy's /stats lists them. */
  all(): Stat[] {
    return [...this.#stats.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  reset(): void {
    for (const stat of this.#stats.values()) if (stat.kind === 'counter') stat.value = 0
  }

  cluster(name: string): ClusterStats {
    const prefix = `cluster.${name}.`
    const scope = this.#scope(prefix, CLUSTER_COUNTERS, CLUSTER_GAUGES, CLUSTER_HISTOGRAMS) as Record<string, Stat>
    const codes = new Map<number, Stat>()
    let ssl: SslStats | undefined
    // The scope's index signature says every key is a Stat, which `code` is not: hence the cast via unknown.
    return Object.assign(scope, {
      code: (status: number) => {
        let stat = codes.get(status)
        if (!stat) codes.set(status, (stat = this.get(`${prefix}upstream_rq_${status}`)))
        return stat
      },
      remaining: () => this.#scope(prefix, [], CIRCUIT_BREAKER_REMAINING_GAUGES),
      ssl: () => (ssl ??= new SslStats(`${prefix}ssl.`, (name) => this.get(name))),
    }) as unknown as ClusterStats
  }

  listener(statPrefix: string): ListenerStats {
    return this.#scope(`http.${statPrefix}.`, LISTENER_COUNTERS, LISTENER_GAUGES, LISTENER_HISTOGRAMS) as unknown as ListenerStats
  }

  /** Envoy's `http.<stat_prefix>.fault.*`. */
  fault(statPrefix: string): FaultStats {
    const prefix = `http.${statPrefix}.fault.`
    const scope = this.#scope(prefix, FAULT_COUNTERS, FAULT_GAUGES)
    const downstream = new Map<string, Scope<'aborts_injected' | 'delays_injected', never>>()
    return Object.assign(scope, {
      downstream: (cluster: string) => {
        let stats = downstream.get(cluster)
        if (!stats) downstream.set(cluster, (stats = this.#scope(`${prefix}${cluster}.`, ['aborts_injected', 'delays_injected'], []) as Scope<'aborts_injected' | 'delays_injected', never>))
        return stats
      },
    }) as unknown as FaultStats
  }

  tracing(): TracingStats {
    return this.#scope('tracing.zipkin.', TRACING_COUNTERS, []) as TracingStats
  }

  server(): ServerStats {
    return this.#scope('server.', [], SERVER_GAUGES) as ServerStats
  }

  listenerManager(): ListenerManagerStats {
    return this.#scope('listener_manager.', LISTENER_MANAGER_COUNTERS, LISTENER_MANAGER_GAUGES) as ListenerManagerStats
  }

  /** `server.config_reload.*`: under server., so a primary reports its own, not a sum of its workers'. */
  reload(): ReloadStats {
    return this.#scope('server.config_reload.', RELOAD_COUNTERS, RELOAD_GAUGES) as ReloadStats
  }

  /** Envoy's `runtime.*`, the layered runtime's loads. */
  runtime(): RuntimeStats {
    return this.#scope('runtime.', RUNTIME_COUNTERS, RUNTIME_GAUGES) as RuntimeStats
  }

  /** `listener_manager.lds.*` or `cluster_manager.cds.*`, Envoy's names for its discovery updates. */
  xds(kind: 'lds' | 'cds'): XdsStats {
    return this.#scope(kind === 'lds' ? 'listener_manager.lds.' : 'cluster_manager.cds.', XDS_COUNTERS, []) as XdsStats
  }

  #scope(prefix: string, counters: readonly string[], gauges: readonly string[], histograms: readonly string[] = []): Record<string, Stat> {
    const scope: Record<string, Stat | Histogram> = {}
    for (const name of counters) scope[name] = this.get(prefix + name, 'counter')
    for (const name of gauges) scope[name] = this.get(prefix + name, 'gauge')
    for (const name of histograms) scope[name] = this.histogram(prefix + name)
    return scope as Record<string, Stat>
  }
}

/** Requests received over every listener (`http.*.downstream_rq_total`): a worker's share of the load. */
export function downstreamRequests(stats: Iterable<{ readonly name: string; readonly value: number }>): number {
  let sum = 0
  for (const stat of stats) if (stat.name.startsWith('http.') && stat.name.endsWith('.downstream_rq_total')) sum += stat.value
  return sum
}
