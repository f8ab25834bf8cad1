// The attempt loop (Envoy's router filter): pick an endpoint, run an attempt, and decide from
// the retry policy whether another attempt on another endpoint may succeed, within the route's
// timeout. Stats and outlier outcomes are recorded here, once per attempt.

import type { RetryPolicyConfig } from '../config/model.ts'
import { connectFailure, downstreamDisconnect, localUpstreamError, upstreamProtocolError, noHealthyUpstream, overflow, perTryTimeout, routeTimeout, upstreamReset, type ProxyError } from '../errors.ts'
import type { Cluster } from '../upstream/cluster.ts'
import type { Endpoint } from '../upstream/endpoint.ts'
import { InvalidStatusError, runAttempt, type AttemptDeps, type AttemptOutcome } from './attempt.ts'
import type { PreparedBody } from './request-body.ts'
import { backoffMs, shouldRetry, type AttemptResult } from './retry-policy.ts'

export type RouterRequest = {
  readonly cluster: Cluster
  readonly method: string
  readonly path: string
  readonly headers: Headers
  readonly body: PreparedBody
  readonly timeoutMs: number
  readonly retryPolicy: RetryPolicyConfig | undefined
  readonly downstreamSignal: AbortSignal | undefined
  /** Called before each attempt with its endpoint; returns headers for that attempt (tracing). */
  readonly onAttempt?: (attempt: AttemptStart) => Headers
  readonly onAttemptDone?: (attempt: AttemptStart, outcome: AttemptOutcome | ProxyError) => void
}

export type AttemptStart = { readonly number: number; readonly endpoint: Endpoint; readonly headers: Headers }

export type RouterResult = {
  /** The upstream response, or the error Envoy would answer with. */
  readonly outcome: Response | ProxyError
  /** The endpoint of the last attempt, for the access log's upstream host. */
  readonly endpoint: Endpoint | undefined
  readonly attempts: number
  /** Time from the first attempt to the response headers (x-envoy-upstream-service-time). */
  readonly upstreamTimeMs: number
}

export type RouterDeps = AttemptDeps & {
  readonly now: () => number
  readonly random: () => number
  readonly sleep: (ms: number) => Promise<void>
}

export async function routeRequest(request: RouterRequest, deps: RouterDeps): Promise<RouterResult> {
  const { cluster, retryPolicy } = request
  const stats = cluster.stats
  const started = deps.now()
  const deadline = request.timeoutMs > 0 ? started + request.timeoutMs : Infinity
  const maxAttempts = 1 + (retryPolicy?.numRetries ?? 0)
  const tried = new Set<Endpoint>()
  let endpoint: Endpoint | undefined
  let lastError: ProxyError | undefined

  // The cluster counts upstream_rq_active and the overflow stats of its circuit breakers.
  if (!cluster.tryAcquireRequest()) {
    return { outcome: overflow(), endpoint: undefined, attempts: 0, upstreamTimeMs: 0 }
  }
  try {
    for (let attempt = 1; ; attempt++) {
      endpoint = cluster.pick({ exclude: tried, nowMs: Date.now() })
      if (!endpoint) {
        return done(lastError ?? noHealthyUpstream(), attempt - 1)
      }
      tried.add(endpoint)
      const remaining = deadline - deps.now()
      if (remaining <= 0) return done(timedOut(), attempt - 1)
      const perTry = retryPolicy && retryPolicy.perTryTimeoutMs > 0 ? retryPolicy.perTryTimeoutMs : Infinity
      const headers = request.onAttempt?.({ number: attempt, endpoint, headers: request.headers }) ?? request.headers

      stats.upstream_rq_total.inc()
      endpoint.activeRequests++
      const outcome = await runAttempt(
        {
          endpoint,
          method: request.method,
          path: request.path,
          headers,
          body: request.body.body(),
          timeoutMs: Math.min(perTry, remaining),
          connectTimeoutMs: cluster.config.connectTimeoutMs,
          downstreamSignal: request.downstreamSignal,
        },
        deps,
      )
      endpoint.activeRequests--

      // A body the client broke (gone, malformed, over the limit) fails the attempt, not the endpoint.
      const downstream = outcome.kind === 'failure' ? request.body.downstreamError() : undefined
      if (downstream) {
        request.onAttemptDone?.({ number: attempt, endpoint, headers }, downstream)
        return done(downstream, attempt)
      }
      const result = record(outcome, perTry < remaining)
      request.onAttemptDone?.({ number: attempt, endpoint, headers }, outcome.kind === 'response' ? outcome : (result.error ?? result.final)!)
      if (result.final) return done(result.final, attempt)

      const canRetry = attempt < maxAttempts && retryPolicy !== undefined && request.body.replayable && shouldRetry(retryPolicy, result.attempt)
      if (!canRetry) {
        if (retryPolicy && attempt >= maxAttempts && attempt > 1 && shouldRetry(retryPolicy, result.attempt))
          stats.upstream_rq_retry_limit_exceeded.inc()
        return done(outcome.kind === 'response' ? outcome.response : result.error!, attempt)
      }
      if (!cluster.tryAcquireRetry()) {
        return done(outcome.kind === 'response' ? outcome.response : result.error!, attempt)
      }
      try {
        if (outcome.kind === 'response') await outcome.response.body?.cancel().catch(() => {})
        lastError = result.error
        stats.upstream_rq_retry.inc()
        const wait = Math.min(backoffMs(retryPolicy, attempt, deps.random), deadline - deps.now())
        if (wait > 0) await deps.sleep(wait)
      } finally {
        cluster.releaseRetry()
      }
    }
  } finally {
    cluster.releaseRequest()
  }

  function done(outcome: Response | ProxyError, attempts: number): RouterResult {
    if (attempts > 1 && outcome instanceof Response && outcome.status < 500) stats.upstream_rq_retry_success.inc()
    return { outcome, endpoint, attempts, upstreamTimeMs: deps.now() - started }
  }

  function timedOut(): ProxyError {
    stats.upstream_rq_timeout.inc()
    return routeTimeout()
  }

  /** Counts the attempt and turns a failure into its ProxyError; `final` ends the loop at once. */
  function record(outcome: AttemptOutcome, perTryBound: boolean): { attempt: AttemptResult; error?: ProxyError; final?: ProxyError } {
    const ep = outcome.endpoint
    if (outcome.kind === 'response') {
      const status = outcome.response.status
      stats.upstream_rq_completed.inc()
      stats[`upstream_rq_${Math.floor(status / 100)}xx` as 'upstream_rq_2xx'].inc()
      stats.code(status).inc()
      cluster.recordOutcome(ep, status >= 500 ? '5xx' : 'success')
      return { attempt: { status } }
    }
    switch (outcome.failure) {
      case 'connect':
        stats.upstream_cx_connect_fail.inc()
        cluster.recordOutcome(ep, 'connect-failure')
        return { attempt: { failure: 'connect' }, error: connectFailure(outcome.cause) }
      case 'reset':
        cluster.recordOutcome(ep, 'reset')
        if (outcome.cause instanceof InvalidStatusError) {
          stats.upstream_cx_protocol_error.inc()
          return { attempt: { failure: 'reset' }, error: upstreamProtocolError(outcome.cause) }
        }
        stats.upstream_rq_rx_reset.inc()
        return { attempt: { failure: 'reset' }, error: upstreamReset(outcome.cause) }
      case 'protocol':
        // The HTTP/1.1 client read bytes that are not HTTP: retried as the reset it is.
        cluster.recordOutcome(ep, 'reset')
        stats.upstream_cx_protocol_error.inc()
        return { attempt: { failure: 'reset' }, error: upstreamProtocolError(outcome.cause) }
      case 'timeout':
        cluster.recordOutcome(ep, 'timeout')
        if (!perTryBound) return { attempt: { failure: 'timeout' }, final: timedOut() }
        stats.upstream_rq_per_try_timeout.inc()
        return { attempt: { failure: 'per-try-timeout' }, error: perTryTimeout() }
      case 'local':
        // The runtime refused to send what the request carried: nothing reached the endpoint.
        return { attempt: { failure: 'local' }, final: localUpstreamError(outcome.cause) }
      default:
        return { attempt: { failure: 'aborted' }, final: downstreamDisconnect() }
    }
  }
}
