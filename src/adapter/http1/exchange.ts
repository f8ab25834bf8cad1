// One request/response on one connection: writes the request (body streamed with backpressure),
// parses the response, and hands back a standard Response whose body stream pauses the socket
// when its queue is full. Never pipelined: the connection is returned only after the response.

import { encodeChunk, encodeLatin1, Http1ParseError, LAST_CHUNK, requestHead, type ResponseHead } from './codec.ts'
import { ResponseReader } from './response-reader.ts'
import type { Transport } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

export type ExchangeRequest = {
  readonly method: string
  /** Origin-form request target (path and query). */
  readonly target: string
  /** Default `host` header when `headers` carries none. */
  readonly authority: string
  readonly headers: Headers
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null
  /** A streamed body's declared length, sent as content-length; undefined = chunked. */
  readonly streamLength: number | undefined
  readonly signal: AbortSignal
}

/** How much response body may queue unread before the socket is paused. */
const BODY_HIGH_WATER_BYTES = 64 * 1024
/** Request bodies up to this size leave in the same write as the head. */
const COALESCE_BYTES = 16 * 1024

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
    let requestWritten = false
    let drained: (() => void) | undefined
    let bodyReader: ReadableStreamDefaultReader<Uint8Array> | undefined

    const parser = new ResponseReader(request.method, {
      head: (h) => void (head = h),
      body: (chunk) => {
        if (!controller) (early ??= []).push(chunk)
        else {
          controller.enqueue(chunk)
          if ((controller.desiredSize ?? 1) <= 0) transport.pause()
        }
      },
    })

    const end = (reusable: boolean) => {
      finished = true
      request.signal.removeEventListener('abort', onAbort)
      transport.handler = undefined
      drained?.()
      // A request body still flowing (the upstream answered early, or failed) is not wanted any more.
      if (!requestWritten) bodyReader?.cancel().catch(() => {})
      if (!reusable) transport.destroy()
      done(reusable)
    }

    const fail = (error: unknown) => {
      if (finished) return
      end(false)
      if (!settled) {
        settled = true
        reject(error)
      } else controller?.error(error)
    }

    /** Throws (TypeError, RangeError) on header values or a status a Response cannot carry. */
    const respond = () => {
      const headers = new Headers()
      const lines = head!.headers
      for (let i = 0; i < lines.length; i++) headers.append(lines[i]![0], lines[i]![1])
      const init = { status: head!.status, statusText: head!.statusText, headers }
      if (parser.done) {
        const bytes = !early ? null : early.length === 1 ? early[0]! : early.reduce(concatBytes)
        const response = new Response(bytes as Uint8Array<ArrayBuffer> | null, init)
        settled = true
        resolve(response)
        return
      }
      const stream = new ReadableStream<Uint8Array>(
        {
          start: (c) => {
            controller = c
            for (const chunk of early ?? []) c.enqueue(chunk)
            early = undefined
          },
          pull: () => transport.resume(),
          cancel: () => fail(new UpstreamError('aborted', 'BodyCancelled', 'response body cancelled by its reader')),
        },
        { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
      )
      const response = new Response(stream, init)
      settled = true
      resolve(response)
    }

    const complete = () => {
      if (!settled) {
        try {
          respond()
        } catch (cause) {
          return fail(protocolError(cause))
        }
      }
      controller?.close()
      end(parser.reusable && requestWritten && !transport.closed)
    }

    const onAbort = () => fail(abortReason(request.signal))
    request.signal.addEventListener('abort', onAbort)

    transport.handler = {
      data: (bytes) => {
        if (finished) return
        try {
          parser.execute(bytes)
          if (!settled && head) respond()
        } catch (cause) {
          return fail(protocolError(cause))
        }
        if (parser.done) complete()
      },
      drain: () => drained?.(),
      close: (error) => {
        if (finished) return
        if (parser.finish()) return complete()
        const stale = reused && !parser.received
        const what = parser.headReceived ? 'during the response body' : 'before the response head'
        fail(new UpstreamError('reset', error ? 'ConnectionReset' : 'ConnectionClosed', `upstream connection ${error ? 'reset' : 'closed'} ${what}`, { cause: error, stale }))
      },
    }

    const waitDrain = () => new Promise<void>((r) => (drained = r)).finally(() => (drained = undefined))

    const writeRequest = async () => {
      const { body } = request
      const framing: 'none' | 'chunked' | number =
        body === null ? 'none'
        : body instanceof Uint8Array ? body.byteLength
        : request.streamLength !== undefined ? request.streamLength
        : 'chunked'
      const headBytes = encodeLatin1(requestHead(request.method, request.target, request.authority, request.headers, framing))
      if (!(body instanceof ReadableStream)) {
        const flushed = body && body.byteLength > COALESCE_BYTES ? transport.write(headBytes) && transport.write(body) : transport.write(body?.byteLength ? concatBytes(headBytes, body) : headBytes)
        if (!flushed) await waitDrain()
        requestWritten = true
        return
      }
      if (!transport.write(headBytes)) await waitDrain()
      const reader = (bodyReader = body.getReader())
      let sent = 0
      for (;;) {
        if (finished) return
        const { done: ended, value } = await reader.read()
        if (finished) return
        if (ended) break
        sent += value.byteLength
        if (typeof framing === 'number' && sent > framing) throw new Error(`request body longer than its content-length ${framing}`)
        if (value.byteLength === 0) continue // an empty chunk would end a chunked body
        if (!transport.write(framing === 'chunked' ? encodeChunk(value) : value)) await waitDrain()
      }
      if (typeof framing === 'number' && sent !== framing) throw new Error(`request body of ${sent} bytes, content-length ${framing}`)
      if (framing === 'chunked' && !transport.write(LAST_CHUNK)) await waitDrain()
      requestWritten = true
    }

    writeRequest().catch((cause) => fail(new UpstreamError('reset', 'RequestBodyFailed', `request body failed: ${(cause as Error)?.message ?? cause}`, { cause })))
  })
}

function protocolError(cause: unknown): unknown {
  const protocol = cause instanceof Http1ParseError || cause instanceof TypeError || cause instanceof RangeError
  return protocol ? new UpstreamError('reset', 'ProtocolError', `upstream protocol error: ${(cause as Error).message}`, { cause }) : cause
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}
