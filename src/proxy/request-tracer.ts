// The hooks the request path offers to tracing (called through the observer, observer.ts).
// tracing/ implements them with OpenTelemetry; without a tracer the proxy passes the client's B3
// headers through untouched.

import type { ListenerConfig, RouteConfig } from '../config/model.ts'
import type { ConnInfo, ProxyRequest } from '../runtime.ts'
import type { AttemptResult, AttemptStart } from './attempt.ts'
import type { RequestInfo } from './request-info.ts'

export interface RequestTracer {
  /**
   * Called once per downstream request, before routing; `peer` is the downstream connection's
   * address; only `internal` requests may force a trace (Envoy).
   */
  start(request: ProxyRequest, info: RequestInfo, listener: ListenerConfig, peer?: ConnInfo, facts?: { readonly internal: boolean }): RequestTrace
}

export interface RequestTrace {
  /** x-envoy-force-trace was honoured: Envoy then echoes x-request-id to the client. */
  readonly forced: boolean
  routed(route: RouteConfig, cluster: string): void
  /** Writes the attempt's B3 context into `attempt.fields` (which a request's attempts share). */
  attempt(attempt: AttemptStart): void
  attemptDone(attempt: AttemptStart, result: AttemptResult): void
  /** The body reached the client (or the client left): the request's span ends. */
  end(info: RequestInfo): void
}
