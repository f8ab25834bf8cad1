// Active HTTP health checks for one cluster: every intervalMs each endpoint is probed; after
// unhealthyThreshold failures in a row it is marked failedActiveHc, after healthyThreshold successes
// it is ready again. As in Envoy, a new endpoint starts unhealthy and one success admits it.

import type { ClusterStats } from '../stats/stats-store.ts'
import type { HealthCheckConfig } from '../config/model.ts'
import type { Clock, TimerHandle } from './clock.ts'
import type { Endpoint } from './endpoint.ts'
import type { UpstreamTransport } from '../runtime.ts'

/**
 * One probe of `path` on the endpoint, supplied by the composition root (a fetch in the adapter).
 * Resolve with the HTTP status (judged against the configured expected statuses) or a verdict;
 * rejecting means no response, a failure.
 */
/** `transport`: the cluster's TLS and HTTP/2, so checks reach the endpoint the way requests do. */
export type HealthProbe = (endpoint: Endpoint, path: string, timeoutMs: number, transport?: UpstreamTransport) => Promise<number | boolean>

type ProbeState = { successes: number; failures: number; checked: boolean; pending: Promise<void> | undefined }

export class HealthChecker {
  readonly #state = new Map<Endpoint, ProbeState>()
  #timer: TimerHandle | undefined
  #stopped = false

  constructor(
    private readonly config: HealthCheckConfig,
    private readonly stats: ClusterStats,
    private readonly clock: Clock,
    private readonly probe: HealthProbe,
    private readonly members: () => readonly Endpoint[],
    /** Called when an endpoint changes health, so healthy gauges can be recomputed. */
    private readonly onChange: () => void,
    private readonly transport?: UpstreamTransport,
  ) {}

  /** Runs the first round (resolves when every endpoint has an answer or timed out), then keeps checking. */
  async start(): Promise<void> {
    this.#stopped = false
    await this.#round()
  }

  /** New members get their first check now rather than at the next round, so they take traffic sooner. */
  checkNow(endpoints: readonly Endpoint[]): Promise<void> {
    return Promise.all(endpoints.map((e) => this.#check(e))).then(() => undefined)
  }

  forget(endpoint: Endpoint): void {
    this.#state.delete(endpoint)
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #round(): Promise<void> {
    await this.checkNow(this.members())
    // The next round starts an interval after this one ended, so slow probes never overlap.
    if (!this.#stopped) this.#timer = this.clock.setTimeout(() => void this.#round(), this.config.intervalMs)
  }

  /** Resolves once every one of `endpoints` has had its first answer (a probe already out is awaited, not repeated). */
  firstChecks(endpoints: readonly Endpoint[]): Promise<void> {
    return Promise.all(endpoints.filter((e) => !this.#stateOf(e).checked).map((e) => this.#check(e))).then(() => undefined)
  }

  #check(endpoint: Endpoint): Promise<void> {
    const state = this.#stateOf(endpoint)
    if (this.#stopped) return Promise.resolve()
    state.pending ??= this.#probeOnce(endpoint, state).finally(() => (state.pending = undefined))
    return state.pending
  }

  async #probeOnce(endpoint: Endpoint, state: ProbeState): Promise<void> {
    this.stats['health_check.attempt'].inc()
    const healthy = await this.#probeWithTimeout(endpoint)
    // The endpoint may have left the cluster while the probe was out.
    if (this.#state.get(endpoint) !== state || this.#stopped) return
    let changed = healthy ? this.#passed(endpoint, state) : this.#failed(endpoint, state)
    state.checked = true
    // Envoy's clearPendingFlag: the first answer, pass or fail (a timeout too), ends the
    // exclusion; a failed endpoint is then counted as unhealthy like any other.
    if (endpoint.pendingActiveHc) {
      endpoint.pendingActiveHc = false
      changed = true
    }
    if (changed) this.onChange()
  }

  /** True when the endpoint became ready. */
  #passed(endpoint: Endpoint, state: ProbeState): boolean {
    this.stats['health_check.success'].inc()
    state.failures = 0
    state.successes++
    if (endpoint.failedActiveHc && (!state.checked || state.successes >= this.config.healthyThreshold)) {
      endpoint.failedActiveHc = false
      return true
    }
    return false
  }

  /** True when the endpoint became failed_active_hc. */
  #failed(endpoint: Endpoint, state: ProbeState): boolean {
    this.stats['health_check.failure'].inc()
    state.successes = 0
    state.failures++
    if (!endpoint.failedActiveHc && state.failures >= this.config.unhealthyThreshold) {
      endpoint.failedActiveHc = true
      return true
    }
    return false
  }

  #probeWithTimeout(endpoint: Endpoint): Promise<boolean> {
    const { path, timeoutMs } = this.config
    return new Promise<boolean>((resolve) => {
      // Our own timer too: a probe that ignores its timeout must not stall the rounds.
      const timer = this.clock.setTimeout(() => resolve(false), timeoutMs)
      const settle = (healthy: boolean) => {
        this.clock.clearTimeout(timer)
        resolve(healthy)
      }
      this.probe(endpoint, path, timeoutMs, this.transport).then(
        (result) => settle(typeof result === 'boolean' ? result : this.#expected(result)),
        () => settle(false),
      )
    })
  }

  #expected(status: number): boolean {
    return this.config.expectedStatuses.some(([start, end]) => status >= start && status < end)
  }

  #stateOf(endpoint: Endpoint): ProbeState {
    let state = this.#state.get(endpoint)
    if (!state) this.#state.set(endpoint, (state = { successes: 0, failures: 0, checked: false, pending: undefined }))
    return state
  }
}
