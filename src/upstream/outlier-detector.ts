// Passive health checking, Envoy's consecutive_5xx detector: after N failed attempts in a row an
// endpoint is ejected for baseEjectionTimeMs × (times it has been ejected), then returns by itself.
// Locally originated failures (connect failure, timeout, reset) count as 5xx, as in Envoy's default
// (split_external_local_origin_errors: false).

import type { ClusterStats } from '../stats/stats-store.ts'
import type { OutlierDetectionConfig } from '../config/model.ts'
import type { Clock, TimerHandle } from './clock.ts'
import type { Endpoint } from './endpoint.ts'

export type AttemptOutcome = 'success' | '5xx' | 'connect-failure' | 'timeout' | 'reset'

type EndpointState = { consecutiveFailures: number; timesEjected: number; unejectTimer: TimerHandle | undefined }

export class OutlierDetector {
  readonly #state = new Map<Endpoint, EndpointState>()
  /** Endpoints ejected and not yet returned (their uneject timer pending). */
  #ejected = 0

  constructor(
    private readonly config: OutlierDetectionConfig,
    private readonly stats: ClusterStats,
    private readonly clock: Clock,
    /** Current members, for max_ejection_percent. */
    private readonly members: () => readonly Endpoint[],
    /** Called whenever an endpoint is ejected or returns, so healthy gauges can be recomputed. */
    private readonly onChange: () => void,
  ) {}

  /**
   * Some member is ejected: only then does an endpoint's readiness depend on the time (while none is,
   * every member's ejectedUntilMs is 0, and the cluster's pick needs no clock read).
   */
  get ejecting(): boolean {
    return this.#ejected > 0
  }

  record(endpoint: Endpoint, outcome: AttemptOutcome): void {
    const state = this.#stateOf(endpoint)
    if (outcome === 'success') {
      state.consecutiveFailures = 0
      return
    }
    // Attempts already in flight when the endpoint was ejected must not extend the ejection.
    if (endpoint.isEjected(this.clock.now())) return
    state.consecutiveFailures++
    if (state.consecutiveFailures >= this.config.consecutive5xx) this.#tryEject(endpoint, state)
  }

  /** The endpoint left the cluster: drop its state and any pending return. */
  forget(endpoint: Endpoint): void {
    const state = this.#state.get(endpoint)
    if (!state) return
    if (state.unejectTimer !== undefined) {
      this.clock.clearTimeout(state.unejectTimer)
      this.stats['outlier_detection.ejections_active'].dec()
      this.#ejected--
    }
    this.#state.delete(endpoint)
  }

  stop(): void {
    for (const state of this.#state.values()) {
      if (state.unejectTimer !== undefined) this.clock.clearTimeout(state.unejectTimer)
      state.unejectTimer = undefined
    }
  }

  #tryEject(endpoint: Endpoint, state: EndpointState): void {
    const members = this.members()
    const nowMs = this.clock.now()
    const ejected = members.filter((e) => e.isEjected(nowMs)).length
    // Envoy's rule: eject only while the ejected share, this one included, stays within the limit.
    if (members.length === 0 || ((ejected + 1) * 100) / members.length > this.config.maxEjectionPercent) return
    state.timesEjected++
    state.consecutiveFailures = 0
    const durationMs = this.config.baseEjectionTimeMs * state.timesEjected
    endpoint.ejectedUntilMs = nowMs + durationMs
    this.stats['outlier_detection.ejections_enforced_total'].inc()
    this.stats['outlier_detection.ejections_active'].inc()
    this.#ejected++
    // A timer (rather than Envoy's 10 s sweep) returns the endpoint exactly when its time is up.
    state.unejectTimer = this.clock.setTimeout(() => this.#uneject(endpoint, state), durationMs)
    this.onChange()
  }

  #uneject(endpoint: Endpoint, state: EndpointState): void {
    state.unejectTimer = undefined
    state.consecutiveFailures = 0
    endpoint.ejectedUntilMs = 0
    this.stats['outlier_detection.ejections_active'].dec()
    this.#ejected--
    this.onChange()
  }

  #stateOf(endpoint: Endpoint): EndpointState {
    let state = this.#state.get(endpoint)
    if (!state) this.#state.set(endpoint, (state = { consecutiveFailures: 0, timesEjected: 0, unejectTimer: undefined }))
    return state
  }
}
