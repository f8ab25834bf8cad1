// One attempt: send the request to one endpoint and wait for response headers, bounded by the
// attempt's deadline and by the client going away. Failures come back classified, never thrown.

import type { AttemptFailure } from '../errors.ts'
import type { UpstreamFailure, UpstreamFetch, UpstreamTransport } from '../runtime.ts'
import type { Clock } from '../upstream/clock.ts'
import type { Endpoint } from '../upstream/endpoint.ts'

/** One attempt of a request; the forward phase builds one per attempt and observers read it. */
export type Attempt = {
  /** 1 for the first try, 2 for the first retry... */
  readonly number: number
  readonly endpoint: Endpoint
  readonly method: string
  readonly path: string
  /** Shared by a request's attempts (the tracer writes each attempt's B3 headers into it). */
  headers: Headers
  readonly body: BodyInit | null
  /** Milliseconds until the attempt gives up waiting for headers; Infinity for none. */
  readonly timeoutMs: number
  /** The timeout is the retry policy's per_try_timeout (its expiry may be retried), not the route's. */
  readonly perTry: boolean
  /** The cluster's connect_timeout. */
  readonly connectTimeoutMs?: number
  /** The cluster's TLS and HTTP/2 (transport_socket, http2_protocol_options); absent = plain HTTP/1.1. */
  readonly transport?: UpstreamTransport
  /** Set by the attempt loop when the attempt ends: start to response headers or failure, ms. */
  elapsedMs?: number
  /** The downstream request's signal: a client that disconnects cancels the attempt. */
  readonly downstreamSignal: AbortSignal | undefined
}

/** What tracing sees of an attempt. */
export type AttemptStart = Pick<Attempt, 'number' | 'endpoint' | 'headers'>

export type AttemptResult =
  | { readonly kind: 'response'; readonly response: Response; readonly endpoint: Endpoint }
  | { readonly kind: 'failure'; readonly failure: AttemptFailure; readonly endpoint: Endpoint; readonly cause: unknown }

export type AttemptDeps = {
  readonly fetch: UpstreamFetch
  readonly classify: (error: unknown) => UpstreamFailure
  /** The attempt's deadline timer (a manual clock in unit tests). */
  readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>
}

const TIMEOUT = 'edgeway:attempt-timeout'

export async function runAttempt(attempt: Attempt, deps: AttemptDeps): Promise<AttemptResult> {
  const { endpoint } = attempt
  const controller = new AbortController()
  // This timer covers the wait for response headers; the body is then bounded by what is left of
  // the route timeout and by the route's idle_timeout (response-stream.ts).
  const timer = Number.isFinite(attempt.timeoutMs) ? deps.timers.setTimeout(() => controller.abort(TIMEOUT), Math.max(1, attempt.timeoutMs)) : undefined
  const onDownstreamAbort = () => controller.abort()
  attempt.downstreamSignal?.addEventListener('abort', onDownstreamAbort, { once: true })
  try {
    const response = await deps.fetch({
      url: `http://${endpoint.key}${attempt.path}`,
      method: attempt.method,
      headers: attempt.headers,
      body: attempt.body,
      signal: controller.signal,
      connectTimeoutMs: attempt.connectTimeoutMs,
      transport: attempt.transport,
    })
    // Bun's fetch hands over any three digits; a Response cannot carry them (Envoy: protocol error).
    if (response.status < 200 || response.status > 599) {
      response.body?.cancel().catch(() => {})
      return { kind: 'failure', failure: 'protocol', endpoint, cause: new Error(`upstream sent status ${response.status}`) }
    }
    return { kind: 'response', response, endpoint }
  } catch (cause) {
    const failure: AttemptFailure = controller.signal.aborted
      ? controller.signal.reason === TIMEOUT
        ? attempt.perTry
          ? 'per-try-timeout'
          : 'timeout'
        : 'aborted'
      : deps.classify(cause)
    return { kind: 'failure', failure, endpoint, cause }
  } finally {
    if (timer !== undefined) deps.timers.clearTimeout(timer)
    attempt.downstreamSignal?.removeEventListener('abort', onDownstreamAbort)
  }
}
