// How the proxy learns that the client has the whole response body (for the access log and the
// request's span). Wrapping every body in a counting stream tripled the cost of a small request
// on Bun (bench/README.md), so bodies of a small, declared length are read whole before the
// headers go out, bounded by the route's timeout as Envoy's is; only larger or unsized bodies stream
// through a counter.

import { routeTimeout, upstreamReset, type ProxyError } from '../errors.ts'
import type { AttemptAbort } from './attempt-abort.ts'
import type { ProxyResponse } from '../runtime.ts'

/** Bodies up to this declared length are read whole; above it they stream. */
export const WHOLE_BODY_LIMIT_BYTES = 64 * 1024

/** True when `response` declares a body small enough to read before answering. */
export function isSmallSizedBody(method: string, response: ProxyResponse): boolean {
  // Decided from the head alone: reading `response.body` would make Bun build a stream for a body
  // that arrayBuffer() can otherwise hand over directly.
  if (method === 'HEAD' || response.status === 204 || response.status === 304) return false
  const declared = response.headers.get('content-length')
  if (declared === null) return false
  const length = Number(declared)
  return length >= 0 && length <= WHOLE_BODY_LIMIT_BYTES
}

/**
 * Reads the whole body. `abort` carries what is left of the route's deadline: when it fires it aborts
 * the upstream call, the read fails, and that is Envoy's 504 UT (its route timeout covers the complete
 * response); a broken body is a reset before headers went out. No race and no timer of its own.
 */
export async function readWholeBody(response: ProxyResponse, abort: AttemptAbort | undefined): Promise<Uint8Array<ArrayBuffer> | ProxyError> {
  try {
    return new Uint8Array(await response.arrayBuffer())
  } catch (cause) {
    return abort?.timedOut ? routeTimeout() : upstreamReset(cause)
  } finally {
    abort?.release()
  }
}

/** Calls `done` with the body size once the client has the whole body (or at once without one). */
export function whenBodyDone(response: ProxyResponse, done: (bytes: number) => void): ProxyResponse {
  if (!response.body) {
    done(0)
    return response
  }
  let bytes = 0
  let reported = false
  const report = () => {
    if (!reported) {
      reported = true
      done(bytes)
    }
  }
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength
        controller.enqueue(chunk)
      },
      flush: report,
      cancel: report,
    } as Transformer<Uint8Array, Uint8Array>),
  )
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers })
}
