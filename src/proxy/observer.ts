// The one interface the request path reports to; listener-observer.ts fans it out to stats, the
// access log and tracing. Phases call the observer; they never call a stat, the log or a span themselves.

import type { RouteConfig } from '../config/model.ts'
import type { ConnInfo, ProxyRequest } from '../runtime.ts'
import type { Attempt, AttemptResult } from './attempt.ts'
import type { RequestInfo } from './request-info.ts'

/** Cluster counters that are not one attempt's result; each is `upstream_rq_<event>`. */
export type UpstreamEvent = 'retry' | 'retry_limit_exceeded' | 'retry_success' | 'timeout' | 'rx_reset'

/** Listener counters the request path bumps (what the client sent, a stream gone idle); each is the stat's name. */
export type DownstreamEvent = 'downstream_cx_upgrades_total' | 'downstream_rq_ws_on_non_ws_route' | 'downstream_cx_protocol_error' | 'downstream_rq_header_overflow' | 'downstream_rq_too_large' | 'downstream_rq_idle_timeout' | 'no_route'

export interface RequestObserver {
  /** x-envoy-force-trace was honoured: Envoy then echoes x-request-id to the client. */
  readonly forcedTrace: boolean
  /** info.routeName, upstreamCluster and upstreamClusterStats are set. */
  routed(info: RequestInfo, route: RouteConfig): void
  /** Before the attempt is sent; may write into attempt.fields (tracing's B3). */
  attemptStarted(info: RequestInfo, attempt: Attempt): void
  attemptDone(info: RequestInfo, attempt: Attempt, result: AttemptResult): void
  /** Something the routed cluster counts that is not one attempt's result. */
  upstream(info: RequestInfo, event: UpstreamEvent): void
  /** Something the listener counts about what the client sent. */
  downstream(info: RequestInfo, event: DownstreamEvent): void
  /** The response head is decided (upstream or local reply): status, flags and details are set. */
  responded(info: RequestInfo): void
  /** The client has the whole body, or went away: info is complete. */
  done(info: RequestInfo): void
}

export interface ListenerObserver {
  /** Whether done() waits for the body to reach the client (some observer needs its size or end). */
  readonly watchesBody: boolean
  /** Once per downstream request, before anything else happens to it. */
  start(request: ProxyRequest, info: RequestInfo, peer: ConnInfo): RequestObserver
}
