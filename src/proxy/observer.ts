// The one interface the request path reports to, and its fan-out to stats, the access log and
// tracing. Phases call the observer; they never call a stat, the log or a span themselves.

import type { ListenerConfig, RouteConfig } from '../config/model.ts'
import type { ConnInfo } from '../runtime.ts'
import type { ListenerStats } from '../stats/stats-store.ts'
import type { Attempt, AttemptResult } from './attempt.ts'
import type { RequestInfo } from './request-info.ts'
import type { RequestTrace, RequestTracer } from './request-tracer.ts'
import type { ComponentLogger } from '../log/logger.ts'
import { DebugObserver } from './debug-observer.ts'
import { statsObserver, type DownstreamEvent, type UpstreamEvent } from './stats-observer.ts'

export interface RequestObserver {
  /** x-envoy-force-trace was honoured: Envoy then echoes x-request-id to the client. */
  readonly forcedTrace: boolean
  /** info.routeName, upstreamCluster and upstreamClusterStats are set. */
  routed(info: RequestInfo, route: RouteConfig): void
  /** Before the attempt is sent; may write into attempt.headers (tracing's B3). */
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
  start(request: Request, info: RequestInfo, peer: ConnInfo): RequestObserver
}

export type ObserverDeps = {
  readonly listener: ListenerConfig
  readonly stats: ListenerStats
  /** Access log sink; undefined when the listener logs nothing. */
  readonly accessLog: ((info: RequestInfo) => void) | undefined
  readonly tracer: RequestTracer | undefined
  /** The router logger: while it is at debug, each request's decisions are logged. */
  readonly log?: ComponentLogger
}

const INTERNAL = { internal: true } as const
const EXTERNAL = { internal: false } as const

/** Without a tracer every request shares one stateless observer: nothing is allocated per request. */
export function createListenerObserver(deps: ObserverDeps): ListenerObserver {
  const base = statsObserver(deps.stats, deps.accessLog)
  const { tracer, listener, log } = deps
  return {
    watchesBody: deps.accessLog !== undefined || tracer !== undefined,
    start(request, info, peer) {
      base.started()
      const observer = tracer ? new TracedObserver(base, tracer.start(request, info, listener, peer, info.internal ? INTERNAL : EXTERNAL)) : base
      return log?.debugOn ? new DebugObserver(observer, log) : observer
    },
  }
}

class TracedObserver implements RequestObserver {
  constructor(
    readonly base: ReturnType<typeof statsObserver>,
    readonly trace: RequestTrace,
  ) {}

  get forcedTrace(): boolean {
    return this.trace.forced
  }

  routed(info: RequestInfo, route: RouteConfig): void {
    this.trace.routed(route, info.upstreamCluster!)
  }

  attemptStarted(info: RequestInfo, attempt: Attempt): void {
    this.base.attemptStarted(info, attempt)
    attempt.headers = this.trace.attempt(attempt)
  }

  attemptDone(info: RequestInfo, attempt: Attempt, result: AttemptResult): void {
    this.base.attemptDone(info, attempt, result)
    this.trace.attemptDone(attempt, result)
  }

  upstream(info: RequestInfo, event: UpstreamEvent): void {
    this.base.upstream(info, event)
  }

  downstream(info: RequestInfo, event: DownstreamEvent): void {
    this.base.downstream(info, event)
  }

  responded(info: RequestInfo): void {
    this.base.responded(info)
  }

  done(info: RequestInfo): void {
    this.trace.end(info)
    this.base.done(info)
  }
}
