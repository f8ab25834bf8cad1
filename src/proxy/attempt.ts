// One attempt: send the request to one endpoint and wait for response headers, bounded by the
// attempt's deadline and by the client going away. Failures come back classified, never thrown.

import type { UpstreamFailure, UpstreamFetch } from '../runtime.ts'
import type { Endpoint } from '../upstream/endpoint.ts'

export type AttemptOutcome =
  | { readonly kind: 'response'; readonly response: Response; readonly endpoint: Endpoint }
  | { readonly kind: 'failure'; readonly failure: UpstreamFailure; readonly endpoint: Endpoint; readonly cause: unknown }

export type AttemptRequest = {
  readonly endpoint: Endpoint
  readonly method: string
  readonly path: string
  readonly headers: Headers
  readonly body: BodyInit | null
  /** Milliseconds until the attempt gives up waiting for headers; Infinity for none. */
  readonly timeoutMs: number
  /** The cluster's connect_timeout. */
  readonly connectTimeoutMs?: number
  /** The downstream request's signal: a client that disconnects cancels the attempt. */
  readonly downstreamSignal: AbortSignal | undefined
}

export type AttemptDeps = {
  readonly fetch: UpstreamFetch
  readonly classify: (error: unknown) => UpstreamFailure
}

const TIMEOUT = 'edgeway:attempt-timeout'

/** The endpoint answered with a status line no HTTP response may carry (999, 600, 099). */
export class InvalidStatusError extends Error {
  constructor(readonly status: number) {
    super(`upstream sent status ${status}`)
    this.name = 'InvalidStatusError'
  }
}

export async function runAttempt(request: AttemptRequest, deps: AttemptDeps): Promise<AttemptOutcome> {
  const { endpoint } = request
  const controller = new AbortController()
  // This timer covers the wait for response headers; the body is then bounded by what is left of
  // the route timeout and by the route's idle_timeout (response-stream.ts).
  const timer = Number.isFinite(request.timeoutMs) ? setTimeout(() => controller.abort(TIMEOUT), Math.max(1, request.timeoutMs)) : undefined
  const onDownstreamAbort = () => controller.abort()
  request.downstreamSignal?.addEventListener('abort', onDownstreamAbort, { once: true })
  try {
    const response = await deps.fetch({
      url: `http://${endpoint.key}${request.path}`,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      connectTimeoutMs: request.connectTimeoutMs,
    })
    // Bun's fetch hands over any three digits; a Response cannot carry them (Envoy: protocol error).
    if (response.status < 200 || response.status > 599) {
      response.body?.cancel().catch(() => {})
      return { kind: 'failure', failure: 'reset', endpoint, cause: new InvalidStatusError(response.status) }
    }
    return { kind: 'response', response, endpoint }
  } catch (cause) {
    const failure: UpstreamFailure =
      controller.signal.aborted ? (controller.signal.reason === TIMEOUT ? 'timeout' : 'aborted') : deps.classify(cause)
    return { kind: 'failure', failure, endpoint, cause }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    request.downstreamSignal?.removeEventListener('abort', onDownstreamAbort)
  }
}
