// Decides how the request body travels: not at all, buffered (so a retry can replay it), or
// streamed once. Also enforces the listener's body limit, early from content-length when it can.

import { payloadTooLarge, type ProxyError } from '../errors.ts'

export type PreparedBody = {
  /** What the next attempt sends; a stream can be sent only once. */
  body(): BodyInit | null
  readonly replayable: boolean
  readonly size: number | undefined
  /** Set when a streamed body went over the limit mid-way (the attempt then fails). */
  overLimit(): boolean
}

const NONE: PreparedBody = { body: () => null, replayable: true, size: 0, overLimit: () => false }

export async function prepareBody(request: Request, limits: { maxBytes: number; bufferBytes: number; mayRetry: boolean }): Promise<PreparedBody | ProxyError> {
  if (!request.body || request.method === 'GET' || request.method === 'HEAD') return NONE
  const declared = request.headers.get('content-length')
  const length = declared === null ? undefined : Number(declared)
  if (length === 0) return NONE
  if (length !== undefined && limits.maxBytes > 0 && length > limits.maxBytes) return payloadTooLarge()
  if (length !== undefined && limits.mayRetry && length <= limits.bufferBytes) {
    const bytes = new Uint8Array(await request.arrayBuffer())
    return { body: () => bytes, replayable: true, size: bytes.byteLength, overLimit: () => false }
  }
  if (limits.maxBytes === 0 || length !== undefined) return streamOnce(request.body, length, () => false)
  // Chunked body under a limit: count as it flows and fail the upstream write past the limit.
  let seen = 0
  let over = false
  const counted = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > limits.maxBytes) {
          over = true
          controller.error(payloadTooLarge())
          return
        }
        controller.enqueue(chunk)
      },
    }),
  )
  return streamOnce(counted, undefined, () => over)
}

function streamOnce(stream: ReadableStream<Uint8Array>, size: number | undefined, overLimit: () => boolean): PreparedBody {
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
    overLimit,
  }
}
