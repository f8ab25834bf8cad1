// `--log-level debug` (or /logging?router=debug) for the request path: what Envoy's router logs at
// debug — the route and cluster chosen, each attempt and its outcome, each retry decision, the
// answer — then the same events go on to the real observers. Wrapped around a request only while
// the router logger is at debug, so the request path pays nothing for it otherwise.

import type { RouteConfig } from '../config/model.ts'
import type { ComponentLogger } from '../log/logger.ts'
import type { Attempt, AttemptResult } from './attempt.ts'
import type { DownstreamEvent, RequestObserver, UpstreamEvent } from './observer.ts'
import type { RequestInfo } from './request-info.ts'

export class DebugObserver implements RequestObserver {
  constructor(
    private readonly inner: RequestObserver,
    private readonly log: ComponentLogger,
  ) {}

  get forcedTrace(): boolean {
    return this.inner.forcedTrace
  }

  routed(info: RequestInfo, route: RouteConfig): void {
    this.log.debug(`${tag(info)} ${info.method} ${info.authority ?? '-'}${info.path}: route '${route.name ?? route.match.prefix ?? route.match.path ?? route.match.safeRegex ?? ''}', cluster '${info.upstreamCluster}'`)
    this.inner.routed(info, route)
  }

  attemptStarted(info: RequestInfo, attempt: Attempt): void {
    const timeout = attempt.timeoutMs === Infinity ? 'no timeout' : `${Math.round(attempt.timeoutMs)} ms ${attempt.perTry ? 'per try' : 'left of the route timeout'}`
    this.log.debug(`${tag(info)} attempt ${attempt.number} to ${attempt.endpoint.key} (${timeout})`)
    this.inner.attemptStarted(info, attempt)
  }

  attemptDone(info: RequestInfo, attempt: Attempt, result: AttemptResult): void {
    const outcome = result.kind === 'response' ? `answered ${result.response.status}` : `failed: ${result.failure}${result.cause instanceof Error ? ` (${result.cause.message})` : ''}`
    this.log.debug(`${tag(info)} attempt ${attempt.number} to ${attempt.endpoint.key} ${outcome}`)
    this.inner.attemptDone(info, attempt, result)
  }

  upstream(info: RequestInfo, event: UpstreamEvent): void {
    this.log.debug(`${tag(info)} ${event === 'retry' ? 'retrying on another attempt' : event.replaceAll('_', ' ')}`)
    this.inner.upstream(info, event)
  }

  downstream(info: RequestInfo, event: DownstreamEvent): void {
    this.log.debug(`${tag(info)} ${info.method} ${info.authority ?? '-'}${info.path}: ${event.replaceAll('_', ' ')}`)
    this.inner.downstream(info, event)
  }

  responded(info: RequestInfo): void {
    this.log.debug(`${tag(info)} responding ${info.status}${info.flags ? ` ${info.flags}` : ''} (${info.details})`)
    this.inner.responded(info)
  }

  done(info: RequestInfo): void {
    this.inner.done(info)
  }
}

function tag(info: RequestInfo): string {
  return `[${info.requestId ?? 'no request id'}]`
}
