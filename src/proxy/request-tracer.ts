// The hooks the request path offers to tracing. tracing/ implements them with OpenTelemetry;
// without a tracer the proxy passes the client's B3 headers through untouched.

import type { AccessLogEntry } from '../access-log.ts'
import type { ConnInfo } from '../runtime.ts'
import type { ListenerConfig, RouteConfig } from '../config/model.ts'
import type { ProxyError } from '../errors.ts'
import type { AttemptOutcome } from './attempt.ts'
import type { AttemptStart } from './forward.ts'

export interface RequestTracer {
  /**
   * Called once per downstream request, before routing; `peer` is the downstream connection's
   * address; only `internal` requests may force a trace (Envoy).
   */
  start(request: Request, entry: AccessLogEntry, listener: ListenerConfig, peer?: ConnInfo, facts?: { readonly internal: boolean }): RequestTrace
}

export interface RequestTrace {
  /** x-envoy-force-trace was honoured: Envoy then echoes x-request-id to the client. */
  readonly forced: boolean
  routed(route: RouteConfig, cluster: string): void
  /** Headers for this attempt, with the attempt's B3 context injected (into `attempt.headers`, which attempts share). */
  attempt(attempt: AttemptStart): Headers
  attemptDone(attempt: AttemptStart, outcome: AttemptOutcome | ProxyError): void
  /** The body reached the client (or the client left): the request's span ends. */
  end(entry: AccessLogEntry): void
}
