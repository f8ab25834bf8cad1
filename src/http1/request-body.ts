// The one place a request body is framed: what follows the head (nothing, bytes, or a stream) and
// how its length is announced. A declared length is validated here, so the client can never write
// `content-length: NaN` (or "3, 3") and a body an upstream would read as the next request.

import type { RequestFraming } from './codec.ts'
import { UpstreamError } from './upstream-error.ts'

export type FramedBody = {
  readonly framing: RequestFraming
  /** Sent right after the head; `framing` is its length. */
  readonly bytes: Uint8Array | null
  /** Streamed after the head: exactly `framing` bytes when that is a number, else chunked. */
  readonly stream: ReadableStream<Uint8Array> | null
  /**
   * A copy of the caller's headers naming the content type of an encoded body; null: the caller's
   * own are the request's (so a request without a body shares NO_BODY, no record of its own).
   */
  readonly headers: Headers | null
}

const NO_BODY: FramedBody = Object.freeze({ framing: 'none', bytes: null, stream: null, headers: null })

const encoder = new TextEncoder()

/** Plain decimal digits, at most 15 of them (a safe integer): no sign, list, space or exponent. */
const LENGTH = /^[0-9]{1,15}$/

/**
 * Rejects with UpstreamError('local') when the request declares a length that is not a
 * non-negative integer, or both a length and a transfer-encoding: nothing has been written then.
 */
export function frameBody(headers: Headers, body: BodyInit | null | undefined): FramedBody | Promise<FramedBody> {
  if (body === null || body === undefined) return NO_BODY
  if (body instanceof Uint8Array) return { framing: body.byteLength, bytes: body, stream: null, headers: null }
  if (body instanceof ReadableStream) return { framing: streamFraming(headers), bytes: null, stream: body as ReadableStream<Uint8Array>, headers: null }
  if (typeof body === 'string' && headers.has('content-type')) {
    const bytes = encoder.encode(body)
    return { framing: bytes.byteLength, bytes, stream: null, headers: null }
  }
  if (body instanceof ArrayBuffer) return { framing: body.byteLength, bytes: new Uint8Array(body), stream: null, headers: null }
  if (ArrayBuffer.isView(body)) {
    const bytes = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength)
    return { framing: bytes.byteLength, bytes, stream: null, headers: null }
  }
  return encoded(headers, body)
}

/** Strings, Blobs, forms: a Response encodes them and names their content type. */
async function encoded(headers: Headers, body: BodyInit): Promise<FramedBody> {
  const response = new Response(body)
  const type = response.headers.get('content-type')
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (type === null || headers.has('content-type')) return { framing: bytes.byteLength, bytes, stream: null, headers: null }
  const named = new Headers(headers)
  named.set('content-type', type)
  return { framing: bytes.byteLength, bytes, stream: null, headers: named }
}

function streamFraming(headers: Headers): RequestFraming {
  const declared = headers.get('content-length')
  if (declared === null) return 'chunked'
  if (!LENGTH.test(declared)) throw invalidLength(`content-length ${JSON.stringify(declared.slice(0, 40))} is not a non-negative integer`)
  if (headers.has('transfer-encoding')) throw invalidLength('both content-length and transfer-encoding')
  return Number(declared)
}

function invalidLength(why: string): UpstreamError {
  return new UpstreamError('local', 'InvalidContentLength', `request not sent: ${why}`, { unsent: true })
}
