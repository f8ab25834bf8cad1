// One attempt: send the request to one endpoint and wait for response headers, bounded by the
// attempt's deadline and by the client going away. Failures come back classified, never thrown.

import type { AttemptFailure } from '../errors.ts'
import type { UpstreamFailure, UpstreamFetch, UpstreamRequest, UpstreamTransport, ProxyResponse } from '../runtime.ts'
import type { Endpoint } from '../upstream/endpoint.ts'
import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { AttemptAbort, type AbortTimers, type Downstream } from './attempt-abort.ts'
import type { UpstreamFields } from './headers/upstream-fields.ts'

/** One attempt of a request; the forward phase builds one per attempt and observers read it. */
export type Attempt = {
  /** 1 for the first try, 2 for the first retry... */
  readonly number: number
  readonly endpoint: Endpoint
  readonly method: string
  readonly path: string
  /** Shared by a request's attempts (the tracer writes each attempt's B3 fields into it). */
  readonly fields: UpstreamFields
  readonly body: BodyInit | null
  /** Milliseconds until the attempt gives up (on the head; a route deadline bounds the body too); Infinity for none. */
  readonly timeoutMs: number
  /** The timeout is the retry policy's per_try_timeout (its expiry may be retried), not the route's. */
  readonly perTry: boolean
  /** The cluster's connect_timeout. */
  readonly connectTimeoutMs?: number
  /** The cluster's TLS and HTTP/2 (transport_socket, http2_protocol_options); absent = plain HTTP/1.1. */
  readonly transport?: UpstreamTransport
  /** The cluster's connection breakers and stats for this endpoint, handed to the upstream client. */
  readonly connections?: EndpointConnections
  /** When the attempt started (the proxy's `now()`): its span starts there, elapsedMs counts from it. */
  readonly startedAt: number
  /** Set by the attempt loop when the attempt ends: start to response headers or failure, ms. */
  elapsedMs?: number
  /** The downstream request (its signal): a client that disconnects cancels the attempt. */
  readonly downstream: Downstream | undefined
}

/** What tracing sees of an attempt; its times when the attempt loop has them (the proxy's `now()`). */
export type AttemptStart = Pick<Attempt, 'number' | 'endpoint' | 'fields'> & Partial<Pick<Attempt, 'startedAt' | 'elapsedMs'>>

/**
 * An attempt that is its own upstream request (one object for both, as the forward loop makes
 * it): its `headers` are the fields as one Headers, merged when a client reads them (every client
 * but the HTTP/1.1 one, which writes `fields` as they are).
 */
export class AttemptRequest implements Attempt, UpstreamRequest {
  elapsedMs: number | undefined = undefined

  constructor(
    readonly number: number,
    readonly endpoint: Endpoint,
    readonly url: string,
    readonly method: string,
    readonly path: string,
    readonly fields: UpstreamFields,
    readonly body: BodyInit | null,
    readonly signal: AbortSignal,
    readonly timeoutMs: number,
    readonly startedAt: number,
    readonly perTry: boolean,
    readonly connectTimeoutMs: number | undefined,
    readonly transport: UpstreamTransport | undefined,
    readonly connections: EndpointConnections | undefined,
    readonly downstream: Downstream | undefined,
  ) {}

  get headers(): Headers {
    return this.fields.headers()
  }
}

export type AttemptResult =
  /** `abort` still holds the attempt's deadline (route timeout) for the body; release it when the body is done. */
  | { readonly kind: 'response'; readonly response: ProxyResponse; readonly endpoint: Endpoint; readonly abort?: AttemptAbort }
  | { readonly kind: 'failure'; readonly failure: AttemptFailure; readonly endpoint: Endpoint; readonly cause: unknown }

export type AttemptDeps = {
  readonly fetch: UpstreamFetch
  readonly classify: (error: unknown) => UpstreamFailure
  /** The attempt's deadline timer (a manual clock in unit tests). */
  readonly timers: AbortTimers
}

/**
 * A route deadline stays armed past the response head (the body is bounded by it too, see
 * attempt-abort.ts); a per-try deadline ends with the head, and the forward phase re-arms the
 * route's for the body. The forward phase runs the same steps inline (no async frame of its own per
 * attempt): abortFor, upstreamRequestOf, then attemptAnswered or attemptFailed.
 */
export async function runAttempt(attempt: Attempt, deps: AttemptDeps): Promise<AttemptResult> {
  const abort = abortFor(attempt, deps.timers)
  try {
    return attemptAnswered(attempt, await deps.fetch(upstreamRequestOf(attempt, abort)), abort)
  } catch (cause) {
    return attemptFailed(attempt, cause, abort, deps)
  }
}

/** The attempt's deadline and its watch on the client, from `now` (the attempt's start) on. */
export function abortFor(attempt: Attempt, timers: AbortTimers, now = timers.now()): AttemptAbort {
  return attemptAbort(attempt.downstream, attempt.timeoutMs, timers, now)
}

/** abortFor before the attempt exists (the forward phase puts the signal in the attempt itself). */
export function attemptAbort(downstream: Downstream | undefined, timeoutMs: number, timers: AbortTimers, now: number): AttemptAbort {
  const abort = new AttemptAbort(timers)
  // Follow first: with the usual deadline far beyond the follow point, one timer serves both.
  abort.follow(downstream, now)
  abort.arm(timeoutMs, now)
  return abort
}

/** The URL an attempt asks its endpoint for. */
export function attemptUrl(endpoint: Endpoint, path: string): string {
  return `http://${endpoint.key}${path}`
}

export function upstreamRequestOf(attempt: Attempt, abort: AttemptAbort): UpstreamRequest {
  const a = attempt
  return new AttemptRequest(a.number, a.endpoint, attemptUrl(a.endpoint, a.path), a.method, a.path, a.fields, a.body, abort.signal, a.timeoutMs, a.startedAt, a.perTry, a.connectTimeoutMs, a.transport, a.connections, a.downstream)
}

/** The upstream answered with a head. */
export function attemptAnswered(attempt: Attempt, response: ProxyResponse, abort: AttemptAbort): AttemptResult {
  const { endpoint } = attempt
  // Past the head, a client that leaves cancels the body through the runtime.
  abort.unfollow()
  // Bun's fetch hands over any three digits; a Response cannot carry them (Envoy: protocol error).
  if (response.status < 200 || response.status > 599) {
    abort.release()
    response.body?.cancel().catch(() => {})
    return { kind: 'failure', failure: 'protocol', endpoint, cause: new Error(`upstream sent status ${response.status}`) }
  }
  if (attempt.perTry) abort.arm(Infinity)
  return { kind: 'response', response, endpoint, abort }
}

/** The upstream call failed before a head (or the head was not a response): classified. */
export function attemptFailed(attempt: Attempt, cause: unknown, abort: AttemptAbort, deps: Pick<AttemptDeps, 'classify'>): AttemptResult {
  abort.release()
  const failure: AttemptFailure = abort.timedOut ? (attempt.perTry ? 'per-try-timeout' : 'timeout') : abort.signal.aborted ? 'aborted' : deps.classify(cause)
  return { kind: 'failure', failure, endpoint: attempt.endpoint, cause }
}
