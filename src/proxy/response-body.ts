// How the proxy learns that the client has the whole response body (for the access log and the
// request's span). Wrapping every body in a counting stream tripled the cost of a small request
// on Bun (bench/README.md), so bodies of a small, declared length are read whole before the
// headers go out, bounded by the route's timeout as Envoy's is; only larger or unsized bodies stream
// through a counter.

import { routeTimeout, upstreamReset, type ProxyError } from '../errors.ts'

/** Bodies up to this declared length are read whole; above it they stream. */
export const WHOLE_BODY_LIMIT_BYTES = 64 * 1024

/** True when `response` declares a body small enough to read before answering. */
export function isSmallSizedBody(method: string, response: Response): boolean {
  // Decided from the head alone: reading `response.body` would make Bun build a stream for a body
  // that arrayBuffer() can otherwise hand over directly.
  if (method === 'HEAD' || response.status === 204 || response.status === 304) return false
  const declared = response.headers.get('content-length')
  if (declared === null) return false
  const length = Number(declared)
  return length >= 0 && length <= WHOLE_BODY_LIMIT_BYTES
}

/**
 * Reads the whole body within `timeoutMs`. A stall past the route's deadline is Envoy's 504 UT
 * (its route timeout covers the complete response); a broken body is a reset before headers went out.
 */
export async function readWholeBody(response: Response, timeoutMs: number): Promise<Uint8Array<ArrayBuffer> | ProxyError> {
  const read = response.arrayBuffer().then(
    (buffer) => new Uint8Array(buffer),
    (cause: unknown) => upstreamReset(cause),
  )
  if (!Number.isFinite(timeoutMs)) return read
  // A body that came with the head is read by now: no timer for the common case.
  const early = await Promise.race([read, NOT_YET])
  if (early !== NOT_YET_VALUE) return early
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<ProxyError>((resolve) => {
    timer = setTimeout(() => resolve(routeTimeout()), Math.max(1, timeoutMs))
  })
  try {
    const outcome = await Promise.race([read, expired])
    if (!(outcome instanceof Uint8Array)) response.body?.cancel().catch(() => {})
    return outcome
  } finally {
    clearTimeout(timer)
  }
}

const NOT_YET_VALUE = Symbol('not yet')
const NOT_YET = Promise.resolve(NOT_YET_VALUE)

/** Calls `done` with the body size once the client has the whole body (or at once without one). */
export function whenBodyDone(response: Response, done: (bytes: number) => void): Response {
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
