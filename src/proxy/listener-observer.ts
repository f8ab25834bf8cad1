// The fan-out behind the one RequestObserver: the stats observer (which also writes the access
// log line) for every request, the tracer's per-request trace when tracing is on, and the router's
// debug log while it is at debug.

import type { ListenerConfig, RouteConfig } from '../config/model.ts'
import type { ListenerStats } from '../stats/stats-store.ts'
import type { Attempt, AttemptResult } from './attempt.ts'
import type { DownstreamEvent, ListenerObserver, RequestObserver, UpstreamEvent } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import type { RequestTrace, RequestTracer } from './request-tracer.ts'
import type { ComponentLogger } from '../log/logger.ts'
import { DebugObserver } from './debug-observer.ts'
import { statsObserver } from './stats-observer.ts'

export type ObserverDeps = {
  readonly listener: ListenerConfig
  readonly stats: ListenerStats
  /** Access log sink; undefined when the listener logs nothing. */
  readonly accessLog: ((info: RequestInfo) => void) | undefined
  /** The access log prints the downstream address: take it when the request arrives. */
  readonly accessLogNeedsPeer?: boolean
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
  const needsPeer = deps.accessLogNeedsPeer === true
  return {
    watchesBody: deps.accessLog !== undefined || tracer !== undefined,
    start(request, info, peer) {
      base.started()
      if (needsPeer) info.downstreamPeer = peer.remoteAddress.includes(':') ? `[${peer.remoteAddress}]:${peer.remotePort}` : `${peer.remoteAddress}:${peer.remotePort}`
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
    this.trace.attempt(attempt)
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
