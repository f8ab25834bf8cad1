// Request framing checked where edgeway first sees the request: the runtimes' HTTP/1.1 parsers
// accept duplicate equal Content-Length headers and hand them over joined ("3, 3"), which an
// upstream connection would then mis-frame (issue 10, severe 1). Anything but one plain length or
// one `chunked` coding, never both, is answered 400 and never forwarded, as Envoy's codec does.

export type FramingError = { readonly code: string; readonly why: string }

const DIGITS = /^[0-9]{1,15}$/

export function framingError(headers: Headers): FramingError | undefined {
  return framingErrorOf(headers.get('content-length'), headers.get('transfer-encoding'))
}

/**
 * framingError from the two fields' values already read (null: absent). `http10`: the request
 * is HTTP/1.0, where any Transfer-Encoding means faulty framing (RFC 9112 §6.1). The runtimes'
 * servers refuse that themselves; a byte-level listener (src/http1/request-head.ts) says it here.
 */
export function framingErrorOf(length: string | null, coding: string | null, http10 = false): FramingError | undefined {
  if (http10 && coding !== null) return { code: 'http1.invalid_transfer_encoding', why: 'Transfer-Encoding on HTTP/1.0' }
  if (length !== null && coding !== null)
    return { code: 'http1.content_length_and_chunked_not_allowed', why: 'Content-Length with Transfer-Encoding' }
  if (length !== null && !DIGITS.test(length))
    return { code: 'http1.content_length_not_allowed', why: length.includes(',') ? 'more than one Content-Length' : 'invalid Content-Length' }
  if (coding !== null && coding.toLowerCase() !== 'chunked') return { code: 'http1.invalid_transfer_encoding', why: 'invalid Transfer-Encoding' }
  return undefined
}

/** RFC 9112 §6.3: a request with neither header has no body, whatever the runtime's Request says. */
export function declaresBody(headers: Headers): boolean {
  const length = headers.get('content-length')
  if (length !== null) return length !== '0' && Number(length) > 0
  return headers.get('transfer-encoding') !== null
}
