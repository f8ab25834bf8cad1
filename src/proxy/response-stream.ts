// A streamed upstream body on its way to the client, bounded as Envoy bounds it: the route's
// `timeout` covers the whole response (not only the wait for headers; its timer is the attempt's,
// attempt-abort.ts, which aborts the upstream call), the route's `idle_timeout` the silence between
// two reads. A reset, a premature close, or either timeout ends the client's body early (cut, so the
// client can tell) and is reported with Envoy's flag for the access log. Used for bodies whose
// upstream client does not report their end itself, and whenever an idle_timeout applies.

import { ProxyError } from '../errors.ts'
import type { AttemptAbort } from './attempt-abort.ts'

export type StreamLimits = {
  /** The upstream call, with what is left of the route timeout armed (attempt-abort.ts); released at the end. */
  readonly abort: AttemptAbort | undefined
  /** Longest silence between upstream reads; 0 for none. */
  readonly idleMs: number
}

export const resetAfterStart = (cause?: unknown) =>
  new ProxyError(502, 'upstream_reset_after_response_started{remote_reset}', 'UR', '', { cause })
export const timeoutAfterStart = () => new ProxyError(504, 'response_timeout', 'UT', '')
export const idleAfterStart = () => new ProxyError(504, 'stream_idle_timeout', 'SI', '')

/** Calls `done` once with the bytes the client got, and the failure when the body was cut. */
export function guardResponseBody(body: ReadableStream<Uint8Array>, limits: StreamLimits, done: (bytes: number, failure: ProxyError | undefined) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  const { abort } = limits
  let bytes = 0
  let finished = false
  let idle: ReturnType<typeof setTimeout> | undefined
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const end = (failure: ProxyError | undefined) => {
    if (finished) return false
    finished = true
    abort?.release()
    clearTimeout(idle)
    done(bytes, failure)
    return true
  }
  const cut = (failure: ProxyError) => {
    if (!end(failure)) return
    // Erroring the stream makes the runtime abort the client's response (no last chunk, or fewer
    // bytes than its content-length); cancelling the reader releases the upstream connection.
    controller.error(failure)
    reader.cancel(failure).catch(() => {})
  }
  const armIdle = () => {
    clearTimeout(idle)
    idle = setTimeout(() => cut(idleAfterStart()), limits.idleMs)
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        // The route deadline aborts the upstream call; the client's side is cut at once, read pending or not.
        if (abort) abort.onExpire = () => cut(timeoutAfterStart())
        if (limits.idleMs > 0) armIdle()
      },
      async pull(c) {
        let read: Awaited<ReturnType<typeof reader.read>>
        try {
          read = await reader.read()
        } catch (cause) {
          return cut(abort?.timedOut ? timeoutAfterStart() : resetAfterStart(cause))
        }
        if (finished) return
        if (read.done) {
          end(undefined)
          return c.close()
        }
        bytes += read.value.byteLength
        if (limits.idleMs > 0) armIdle()
        c.enqueue(read.value)
      },
      // The client went away: not a failure of the upstream.
      cancel(reason) {
        end(undefined)
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}
