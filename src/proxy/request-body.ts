// Decides how the request body travels: not at all, buffered (so a retry can replay them), or
// streamed once. Also enforces the listener's body limit, early from content-length when it can,
// and remembers when the downstream side broke the body (client gone, malformed chunk, over the
// limit) so that failure is never blamed on the endpoint the body was streaming to.

import { badRequest, downstreamDisconnect, payloadTooLarge, ProxyError } from '../errors.ts'
import type { ProxyRequest } from '../runtime.ts'
import { declaresBody } from './request-framing.ts'

export type PreparedBody = {
  /** What the next attempt sends; a stream can be sent only once. */
  body(): BodyInit | null
  readonly replayable: boolean
  readonly size: number | undefined
  /** Set when the body failed on the downstream side (the attempt then fails): the reply to send. */
  downstreamError(): ProxyError | undefined
}

const NONE: PreparedBody = { body: () => null, replayable: true, size: 0, downstreamError: () => undefined }

export type BodyLimits = { maxBytes: number; bufferBytes: number; mayRetry: boolean }

/** Synchronous for the usual bodiless request (no promise, no await on the request path). */
export function prepareBody(request: ProxyRequest, limits: BodyLimits): PreparedBody | ProxyError | Promise<PreparedBody | ProxyError> {
  // The method first: reading `request.body` can make the runtime build a stream.
  if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return NONE
  const declared = request.headers.get('content-length')
  if (declared !== null && !declaresBody(request.headers)) return NONE
  return prepareStreamedBody(request, declared, limits)
}

async function prepareStreamedBody(request: ProxyRequest, declared: string | null, limits: BodyLimits): Promise<PreparedBody | ProxyError> {
  if (!request.body) return NONE
  // Neither header: no body in HTTP/1.1 (Deno still hands over an empty stream, which would go out
  // as an empty chunked body), but HTTP/2 sends bodies without either. A first read tells them apart.
  let source: ReadableStream<Uint8Array> | undefined = request.body
  if (declared === null && request.headers.get('transfer-encoding') === null) {
    try {
      source = await peeked(request.body)
    } catch (cause) {
      return brokenBody(request, cause)
    }
    if (source === undefined) return NONE
  }
  const body = source
  const length = declared === null ? undefined : Number(declared)
  if (length !== undefined && limits.maxBytes > 0 && length > limits.maxBytes) return payloadTooLarge()
  if (length !== undefined && limits.mayRetry && length <= limits.bufferBytes) {
    try {
      const bytes = new Uint8Array(await request.arrayBuffer())
      return { body: () => bytes, replayable: true, size: bytes.byteLength, downstreamError: () => undefined }
    } catch (cause) {
      return brokenBody(request, cause)
    }
  }
  let failure: ProxyError | undefined
  let seen = 0
  const limit = length === undefined && limits.maxBytes > 0 ? limits.maxBytes : Infinity
  const guarded = new ReadableStream<Uint8Array>(
    {
      reader: undefined as ReadableStreamDefaultReader<Uint8Array> | undefined,
      async pull(controller) {
        this.reader ??= body.getReader()
        let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>
        try {
          chunk = await this.reader.read()
        } catch (cause) {
          failure = brokenBody(request, cause)
          controller.error(failure)
          return
        }
        if (chunk.done) return controller.close()
        seen += chunk.value.byteLength
        // A chunked body under a limit is counted as it flows; past the limit the upstream write fails.
        if (seen > limit) {
          failure = payloadTooLarge()
          this.reader.cancel().catch(() => {})
          controller.error(failure)
          return
        }
        controller.enqueue(chunk.value)
      },
      cancel(reason) {
        return (this.reader ?? body).cancel(reason)
      },
    } as UnderlyingDefaultSource<Uint8Array> & { reader: ReadableStreamDefaultReader<Uint8Array> | undefined },
    { highWaterMark: 0 },
  )
  return streamOnce(guarded, length, () => failure)
}

/** The body with its first chunk put back, or undefined when it ended at once; rejects when it broke. */
async function peeked(body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array> | undefined> {
  const reader = body.getReader()
  let first = await reader.read()
  // Deno's stream for a request without a body yields an empty chunk before it ends.
  while (!first.done && first.value.byteLength === 0) first = await reader.read()
  if (first.done) return undefined
  let pending: Uint8Array | undefined = first.value
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending)
          pending = undefined
          return
        }
        const next = await reader.read()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/** The client left (DC), or its runtime refused the body it was sending (Envoy's codec error, 400). */
function brokenBody(request: ProxyRequest, cause: unknown): ProxyError {
  const error = request.signal.aborted ? downstreamDisconnect() : badRequest('invalid request body', 'http1.codec_error')
  ;(error as { cause?: unknown }).cause = cause
  return error
}

function streamOnce(stream: ReadableStream<Uint8Array>, size: number | undefined, downstreamError: () => ProxyError | undefined): PreparedBody {
  let used = false
  return {
    body: () => {
      if (used) throw new Error('Cannot replay a streamed request body')
      used = true
      return stream
    },
    get replayable() {
      return !used
    },
    size,
    downstreamError,
  }
}
