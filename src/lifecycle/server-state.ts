// The server's lifecycle as Envoy names it (PRE_INITIALIZING → INITIALIZING → LIVE → DRAINING),
// mirrored in the `server.state` and `server.live` gauges, plus the two switches that make every
// response ask its client to go away: a drain, and `/healthcheck/fail`.

import type { ServerState } from '../admin/server-info.ts'
import type { ServerStats } from '../stats/stats-store.ts'

/** Envoy's `server.state` values. */
const STATE_CODES: Record<ServerState, number> = { LIVE: 0, DRAINING: 1, PRE_INITIALIZING: 2, INITIALIZING: 3 }

export class ServerLifecycle {
  #state: ServerState = 'PRE_INITIALIZING'
  #healthcheckFailed = false
  #listenersDraining = false

  constructor(private readonly gauges?: ServerStats) {
    this.#publish()
  }

  get state(): ServerState {
    return this.#state
  }

  /** DRAINING is final: a drain is never undone by a late "live". */
  set(state: ServerState): void {
    if (this.#state === 'DRAINING') return
    this.#state = state
    this.#publish()
  }

  get healthcheckFailed(): boolean {
    return this.#healthcheckFailed
  }

  set healthcheckFailed(failed: boolean) {
    this.#healthcheckFailed = failed
  }

  /** `POST /drain_listeners?graceful`: the listeners' drain window is open. */
  set listenersDraining(draining: boolean) {
    this.#listenersDraining = draining
  }

  /**
   * Responses carry `connection: close` so clients (and the load balancers in front) move away:
   * while draining, while health checks are failed on purpose, during a listener drain window.
   */
  closeConnections(): boolean {
    return this.#state === 'DRAINING' || this.#healthcheckFailed || this.#listenersDraining
  }

  #publish(): void {
    this.gauges?.state.set(STATE_CODES[this.#state])
    this.gauges?.live.set(this.#state === 'LIVE' ? 1 : 0)
  }
}
