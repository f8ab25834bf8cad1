// One request/response on one connection: writes the request (request-writer.ts), reads the
// response (response-reader.ts) and hands back a standard Response whose body stream pauses the
// transport when its queue is full. Never pipelined: the connection is handed back only after
// the response ended exactly where the next one may begin.

import { Http1ParseError, requestHeadBytes, type ResponseHead } from './codec.ts'
import type { FramedBody } from './request-body.ts'
import { ResponseReader } from './response-reader.ts'
import { concat, RequestWriter } from './request-writer.ts'
import type { Transport } from './transport.ts'
import { abortReason, protocolError, UpstreamError } from './upstream-error.ts'
import { BodyEnd, reportsBodyEnd } from '../upstream/body-end.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'

export type ExchangeRequest = {
  readonly method: string
  /** Origin-form request target (path and query). */
  readonly target: string
  /** Default `host` header when the body's headers carry none. */
  readonly authority: string
  readonly body: FramedBody
  readonly signal: AbortSignal
}

/** How much response body may queue unread before the transport is paused. */
const BODY_HIGH_WATER_BYTES = 64 * 1024

/**
 * `done(reusable)` is called once when the connection is no longer this exchange's: true when it
 * may carry another request (the caller pools it), false after it was destroyed here.
 */
export function exchange(transport: Transport, request: ExchangeRequest, reused: boolean, done: (reusable: boolean) => void): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let head: ResponseHead | undefined
    let early: Uint8Array[] | undefined
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined
    let settled = false
    let finished = false
    const writer = new RequestWriter(transport)
    // A streamed body reports its end (src/upstream/body-end.ts) once the runtime has read the last
    // chunk: the stream closes only when its queue has drained, while the connection is free as soon
    // as the body has arrived.
    let bodyEnd: BodyEnd | undefined
    let enqueued = 0
    let queued = 0
    let closeWhenDrained = false

    const parser = new ResponseReader(request.method, {
      head: (h) => void (head = h),
      body: (chunk) => {
        if (!controller) (early ??= []).push(chunk)
        else {
          controller.enqueue(chunk)
          enqueued += chunk.byteLength
          queued = BODY_HIGH_WATER_BYTES - (controller.desiredSize ?? 0)
          if ((controller.desiredSize ?? 1) <= 0) transport.pause()
        }
      },
    })

    const end = (reusable: boolean) => {
      finished = true
      request.signal.removeEventListener('abort', onAbort)
      transport.events = undefined
      // A request body still flowing (the upstream answered early, or failed) is not wanted any more.
      writer.stop()
      if (!reusable) transport.destroy()
      done(reusable)
    }

    const fail = (error: unknown) => {
      if (finished) return
      end(false)
      if (!settled) {
        settled = true
        reject(error)
      } else if (controller) {
        controller.error(error)
        if (bodyEnd) {
          bodyEnd.bytes = enqueued - queued
          bodyEnd.end(error, false)
        }
      }
    }

    /** The body has arrived and the runtime has read all of it: the stream ends, and says so. */
    const closeIfDrained = () => {
      if (!closeWhenDrained || controller!.desiredSize !== BODY_HIGH_WATER_BYTES) return
      closeWhenDrained = false
      controller!.close()
      if (bodyEnd) {
        bodyEnd.bytes = enqueued
        bodyEnd.end(undefined, false)
      }
    }

    /** Throws (TypeError, RangeError) on a header value a Response cannot carry. */
    const respond = () => {
      // The head's fields go into the Response's own Headers after it is made: given in the init,
      // Deno 2.9 builds a native copy of a whole-body response for Deno.serve that the proxy's first
      // header edit throws away again (~1.6 µs of 2.9 on Deno; Bun 0.64 -> 0.58 µs).
      const init = { status: head!.status, statusText: head!.statusText }
      if (parser.done) {
        const bytes = !early ? null : early.length === 1 ? early[0]! : early.reduce(concat)
        // Marked whole: the proxy can hand this very Response on (src/upstream/whole-body.ts).
        const response = wholeBodyResponse(bytes as Uint8Array<ArrayBuffer> | null, init)
        appendFields(response.headers, head!.headers)
        settled = true
        resolve(response)
        return
      }
      // A streamed body gets no native copy: the fields go in as the init, read before the stream takes the early bytes.
      const headers = new Headers()
      appendFields(headers, head!.headers)
      const stream = new ReadableStream<Uint8Array>(
        {
          start: (c) => {
            controller = c
            for (const chunk of early ?? []) {
              c.enqueue(chunk)
              enqueued += chunk.byteLength
            }
            queued = enqueued
            early = undefined
          },
          pull: () => {
            // After the last byte the connection is no longer this exchange's to resume.
            if (!finished) transport.resume()
            queued = BODY_HIGH_WATER_BYTES - (controller!.desiredSize ?? 0)
            if (bodyEnd) bodyEnd.bytes = enqueued - queued
            closeIfDrained()
          },
          cancel: () => {
            if (bodyEnd) {
              bodyEnd.bytes = enqueued - queued
              bodyEnd.end(undefined, true)
            }
            fail(new UpstreamError('aborted', 'BodyCancelled', 'response body cancelled by its reader'))
          },
        },
        { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
      )
      const response = new Response(stream, { ...init, headers })
      bodyEnd = new BodyEnd()
      reportsBodyEnd(response, bodyEnd)
      settled = true
      resolve(response)
    }

    const complete = () => {
      if (!settled) {
        try {
          respond()
        } catch (cause) {
          return fail(asProtocolError(cause))
        }
      }
      if (controller) {
        closeWhenDrained = true
        closeIfDrained()
      }
      end(parser.reusable && writer.complete && !transport.closed)
    }

    const onAbort = () => fail(abortReason(request.signal))
    request.signal.addEventListener('abort', onAbort)

    transport.events = {
      data: (bytes) => {
        if (finished) return
        try {
          parser.execute(bytes)
          if (!settled && head) respond()
        } catch (cause) {
          return fail(asProtocolError(cause))
        }
        if (parser.done) complete()
      },
      drain: () => writer.drained(),
      close: (error) => {
        if (finished) return
        if (parser.finish()) return complete()
        const stale = reused && !parser.received
        const what = parser.headReceived ? 'during the response body' : 'before the response head'
        const code = error ? 'ConnectionReset' : 'ConnectionClosed'
        fail(new UpstreamError('reset', code, `upstream connection ${error ? 'reset' : 'closed'} ${what}`, { cause: error, stale }))
      },
    }

    if (transport.closed) {
      // Closed before a byte of this request went out: sending it elsewhere repeats nothing.
      return fail(new UpstreamError('reset', 'ConnectionClosed', 'upstream connection closed before the request', { stale: reused, unsent: true }))
    }
    let headBytes: Uint8Array
    try {
      headBytes = requestHeadBytes(request.method, request.target, request.authority, request.body.headers, request.body.framing)
    } catch (cause) {
      return fail(new UpstreamError('local', 'InvalidRequestHead', `request not sent: ${(cause as Error).message}`, { cause, unsent: true }))
    }
    writer.write(headBytes, request.body)?.catch((cause) => {
      const message = `request body failed: ${(cause as Error)?.message ?? cause}`
      fail(new UpstreamError('local', 'RequestBodyFailed', message, { cause }))
    })
  })
}

/** Throws (TypeError, RangeError) on a field a Headers cannot carry. */
function appendFields(headers: Headers, lines: readonly [string, string][]): void {
  for (let i = 0; i < lines.length; i++) headers.append(lines[i]![0], lines[i]![1])
}

function asProtocolError(cause: unknown): unknown {
  const protocol = cause instanceof Http1ParseError || cause instanceof TypeError || cause instanceof RangeError
  return protocol ? protocolError((cause as Error).message, cause) : cause
}
