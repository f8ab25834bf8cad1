// Phase 3, forward (Envoy's router filter): the attempt loop. Pick an endpoint, run an attempt,
// report it, and let the retry state decide whether another attempt on another endpoint may
// succeed, within the route's timeout. Outlier outcomes go to the cluster once per attempt.

import { failureReply, noHealthyUpstream, overflow, routeTimeout, type ProxyError } from '../errors.ts'
import type { AttemptOutcome } from '../upstream/outlier-detector.ts'
import type { Endpoint } from '../upstream/endpoint.ts'
import { attemptAbort, attemptAnswered, attemptFailed, AttemptRequest, attemptUrl, type AttemptDeps, type AttemptResult } from './attempt.ts'
import type { AttemptAbort } from './attempt-abort.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { RetryState, type RetryDeps } from './retry-state.ts'
import type { RoutedRequest } from './route-phase.ts'
import type { ProxyResponse } from '../runtime.ts'

/** `now` and `timers.now` read the same monotonic clock (an attempt's start serves both). */
export type ForwardDeps = AttemptDeps & RetryDeps

/** The attempt whose response goes to the client; its `abort` holds the route's deadline until the body is done (the response phase releases it). */
export type ForwardedResponse = Extract<AttemptResult, { kind: 'response' }>

/**
 * The response phase, handed the loop's outcome (the proxy handler's, made once per handler).
 * `at`: the clock read that ended the last attempt, the instant the outcome was known; nothing has
 * awaited since, so a response handed over at once is handed over then (one clock read fewer).
 */
export type Respond = (routed: RoutedRequest, result: ForwardedResponse | ProxyError, info: RequestInfo, observer: RequestObserver, at?: number) => ProxyResponse | Promise<ProxyResponse>

/**
 * The upstream response, or the local reply Envoy would answer with. Sets info.attempts,
 * info.upstreamHost (the last attempt's endpoint) and, with a response, info.upstreamServiceTimeMs
 * (first attempt to response head: x-envoy-upstream-service-time). Each attempt's steps (attempt.ts)
 * run inline. The outcome goes to `respond` once the request's hold on the cluster is released, and
 * its answer is this call's: the proxy handler then needs no async frame of its own to await it.
 * `now`: the caller's clock read when nothing has awaited since it (the request's arrival, when it
 * was routed at once), else read here: the attempts start at that same instant.
 * A route without a retry policy makes one attempt: it runs without an async frame (the upstream
 * call's promise continues in a callback): on Bun ~320 B fewer of JS heap a request than the loop's
 * frame before a fake upstream, and never the JIT's costlier mode before the shipped client
 * (bench/README.md, "Stop 32 — alloc17"); the loop below serves routes with a retry policy.
 */
export function forward(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, deps: ForwardDeps, respond: Respond, now?: number): Promise<ProxyResponse> {
  const { retryPolicy } = request
  const started = now ?? deps.now()
  // A retry policy without retries may still set a per-try timeout: the loop knows what that means.
  if (retryPolicy !== undefined) return forwardWithRetries(request, info, observer, deps, respond, started)
  return forwardOnce(request, info, observer, deps, respond, started)
}

/** One attempt (no retry policy): forwardWithRetries' steps for a first attempt, which never retries then. */
function forwardOnce(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, deps: ForwardDeps, respond: Respond, started: number): Promise<ProxyResponse> {
  const { cluster } = request
  if (!cluster.tryAcquireRequest()) return settled(respond, request, overflow(), info, observer)
  let endpoint: Endpoint | undefined
  let attempt: AttemptRequest
  let abort: AttemptAbort
  let pending: Promise<ProxyResponse>
  try {
    endpoint = cluster.pick(request.hash === undefined ? undefined : { exclude: undefined, hash: request.hash })
    info.upstreamHost = endpoint?.key
    const timeoutMs = request.timeoutMs > 0 ? request.timeoutMs : Infinity
    if (endpoint) {
      abort = attemptAbort(request.downstream, timeoutMs, deps.timers, started)
      attempt = startAttempt(request, info, observer, 1, endpoint, abort, timeoutMs, started, false)
    }
  } catch (error) {
    cluster.releaseRequest()
    return Promise.reject(error)
  }
  if (!endpoint) {
    cluster.releaseRequest()
    return settled(respond, request, noHealthyUpstream(), info, observer)
  }
  try {
    // As `await` takes it: a fetch may hand back a value that is not a native promise.
    pending = Promise.resolve(deps.fetch(attempt!))
  } catch (cause) {
    pending = Promise.reject(cause)
  }
  // Two callbacks sharing one scope (the attempt's state) instead of a frame holding every local.
  const answered = (response: ProxyResponse) => onceDone(request, info, observer, deps, respond, attempt, attemptAnswered(attempt, response, abort), started)
  const failed = (cause: unknown) => onceDone(request, info, observer, deps, respond, attempt, attemptFailed(attempt, cause, abort, deps), started)
  return pending.then(answered, failed)
}

function onceDone(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, deps: ForwardDeps, respond: Respond, attempt: AttemptRequest, answer: AttemptResult, started: number): ProxyResponse | Promise<ProxyResponse> {
  const { cluster } = request
  let outcome: ForwardedResponse | ProxyError
  let ended: number
  try {
    ended = deps.now()
    const result = attemptEnded(request, info, observer, attempt, answer, ended - started)
    outcome = result.kind === 'failure' ? failureReply(result.failure, result.cause, 1) : result
    if (result.kind === 'response') info.upstreamServiceTimeMs = Math.round(ended - started)
  } finally {
    cluster.releaseRequest()
  }
  return respond(request, outcome, info, observer, ended)
}

/** respond's answer as the promise an async function returning it would be. */
function settled(respond: Respond, request: RoutedRequest, outcome: ProxyError, info: RequestInfo, observer: RequestObserver): Promise<ProxyResponse> {
  try {
    return Promise.resolve(respond(request, outcome, info, observer))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Attempt `number` begins on `endpoint`: the observers and the endpoint's active count learn of it. */
function startAttempt(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, number: number, endpoint: Endpoint, abort: AttemptAbort, timeoutMs: number, started: number, perTry: boolean): AttemptRequest {
  const { cluster } = request
  // The attempt is the upstream request too (its url and signal): one object for both.
  const attempt = new AttemptRequest(
    number,
    endpoint,
    attemptUrl(endpoint, request.path),
    request.method,
    request.path,
    request.fields,
    request.body.body(),
    abort.signal,
    timeoutMs,
    started,
    perTry,
    cluster.config.connectTimeoutMs,
    cluster.config.transport,
    cluster.connections(endpoint),
    request.downstream,
  )
  info.attempts = number
  observer.attemptStarted(info, attempt)
  endpoint.activeRequests++
  return attempt
}

/**
 * An attempt is over (`elapsedMs` after its start): its endpoint's count, the client's body failure
 * in place of the endpoint's, outlier detection and the observers. The result as the loop decides on it.
 */
function attemptEnded(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, attempt: AttemptRequest, answer: AttemptResult, elapsedMs: number): AttemptResult {
  const { endpoint } = attempt
  let result = answer
  attempt.elapsedMs = elapsedMs
  endpoint.activeRequests--
  if (result.kind === 'failure') {
    // A body the client broke (gone, malformed, over the limit) fails the attempt, not the endpoint.
    const downstream = request.body.downstreamError()
    if (downstream) {
      result = { kind: 'failure', failure: 'downstream', endpoint, cause: downstream }
      if (downstream.status === 413) observer.downstream(info, 'downstream_rq_too_large')
    }
  }
  const outlierOutcome = outlierOutcomeOf(result)
  if (outlierOutcome) request.cluster.recordOutcome(endpoint, outlierOutcome)
  observer.attemptDone(info, attempt, result)
  return result
}

/** The attempt loop of a route with a retry policy: one async frame for the whole loop. */
async function forwardWithRetries(request: RoutedRequest, info: RequestInfo, observer: RequestObserver, deps: ForwardDeps, respond: Respond, started: number): Promise<ProxyResponse> {
  const { cluster, retryPolicy } = request
  const deadline = request.timeoutMs > 0 ? started + request.timeoutMs : Infinity
  const perTryMs = retryPolicy && retryPolicy.perTryTimeoutMs > 0 ? retryPolicy.perTryTimeoutMs : Infinity
  const retries = retryPolicy && retryPolicy.numRetries > 0 ? new RetryState(retryPolicy, cluster, request.body, deps) : undefined
  /** Endpoints already tried, so a retry goes elsewhere; made at the first retry. */
  let tried: Set<Endpoint> | undefined
  let last: AttemptResult | undefined

  // The cluster counts upstream_rq_active and the overflow stats of its circuit breakers.
  if (!cluster.tryAcquireRequest()) return respond(request, overflow(), info, observer)
  let outcome: ForwardedResponse | ProxyError
  /** The last attempt's end, when the outcome came from it (no await between it and respond). */
  let decidedAt: number | undefined
  try {
    for (let number = 1; ; number++) {
      const endpoint = cluster.pick(tried === undefined && request.hash === undefined ? undefined : { exclude: tried, hash: request.hash })
      info.upstreamHost = endpoint?.key
      if (!endpoint) {
        outcome = last?.kind === 'failure' ? failureReply(last.failure, last.cause, number - 1) : noHealthyUpstream()
        break
      }
      // The first attempt starts now; a retry after its backoff.
      const attemptStarted = number === 1 ? started : deps.now()
      const remaining = deadline - attemptStarted
      if (remaining <= 0) {
        observer.upstream(info, 'timeout')
        outcome = routeTimeout()
        break
      }
      const timeoutMs = Math.min(perTryMs, remaining)
      const abort = attemptAbort(request.downstream, timeoutMs, deps.timers, attemptStarted)
      const attempt = startAttempt(request, info, observer, number, endpoint, abort, timeoutMs, attemptStarted, perTryMs < remaining)
      let result: AttemptResult
      try {
        result = attemptAnswered(attempt, await deps.fetch(attempt), abort)
      } catch (cause) {
        result = attemptFailed(attempt, cause, abort, deps)
      }
      const ended = deps.now()
      result = attemptEnded(request, info, observer, attempt, result, ended - attemptStarted)

      const decision = retries ? retries.decide(result) : 'no-retry'
      if (decision !== 'retry') {
        decidedAt = ended
        if (decision === 'limit-exceeded') observer.upstream(info, 'retry_limit_exceeded')
        if (result.kind === 'failure') {
          outcome = failureReply(result.failure, result.cause, number)
          break
        }
        if (number > 1 && result.response.status < 500) observer.upstream(info, 'retry_success')
        // A per-try deadline ended with the head: the body gets what is left of the route's.
        if (attempt.perTry) result.abort?.arm(deadline - ended, ended)
        info.upstreamServiceTimeMs = Math.round(ended - started)
        outcome = result
        break
      }
      if (result.kind === 'response') result.abort?.release()
      last = result
      ;(tried ??= new Set()).add(endpoint)
      observer.upstream(info, 'retry')
      await retries!.backoff(result, deadline)
    }
  } finally {
    cluster.releaseRequest()
  }
  return respond(request, outcome, info, observer, decidedAt)
}

/** What outlier detection and /clusters learn from one attempt; nothing when the endpoint is not to blame. */
function outlierOutcomeOf(result: AttemptResult): AttemptOutcome | undefined {
  if (result.kind === 'response') return result.response.status >= 500 ? '5xx' : 'success'
  switch (result.failure) {
    case 'connect':
      return 'connect-failure'
    case 'reset':
    case 'protocol':
      return 'reset'
    case 'timeout':
    case 'per-try-timeout':
      return 'timeout'
    case 'aborted':
    case 'local':
    case 'downstream':
    case 'overflow':
      return undefined
  }
}
