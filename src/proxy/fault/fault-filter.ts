// One listener's fault filter (Envoy's envoy.filters.http.fault): its settings and each route's
// override (its own or its virtual host's) compiled once, the runtime it reads, and its own stats. Like a cluster's circuit
// breakers it counts itself: active_faults is both its stat and its max_active_faults state.

import type { ListenerConfig, RouteConfig } from '../../config/model.ts'
import type { FaultConfig } from '../../config/model-fault.ts'
import { compileHeaderMatcher } from '../../routing/header-matcher.ts'
import type { FaultStats } from '../../stats/stats-store.ts'
import type { FaultRuntime, FaultSettings } from './fault-decision.ts'

export type FaultFilterDeps = {
  readonly runtime: FaultRuntime
  readonly stats: FaultStats
  readonly random: () => number
  /** Aborted when a drain's time is up: a delay still running ends then and the request goes on. */
  readonly drainDeadline?: AbortSignal
}

export class FaultFilter {
  readonly #listener: FaultSettings | undefined
  readonly #routes = new Map<RouteConfig, FaultSettings>()

  constructor(
    listener: ListenerConfig,
    readonly deps: FaultFilterDeps,
  ) {
    this.#listener = listener.fault && compile(listener.fault)
    for (const virtualHost of listener.virtualHosts) {
      const host = virtualHost.fault && compile(virtualHost.fault)
      for (const route of virtualHost.routes) {
        const settings = route.fault ? compile(route.fault) : host
        if (settings) this.#routes.set(route, settings)
      }
    }
  }

  /** The most specific settings win: the route's, its virtual host's, the listener's (Envoy's typed_per_filter_config). */
  settingsFor(route: RouteConfig): FaultSettings | undefined {
    return this.#routes.get(route) ?? this.#listener
  }
}

function compile(config: FaultConfig): FaultSettings {
  return { config, headers: config.headers.map(compileHeaderMatcher) }
}
