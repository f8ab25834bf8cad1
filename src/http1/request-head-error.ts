// The one error type of the request-head parser (request-head.ts): a typed value carrying the
// status the listener answers with and Envoy's response-code detail, so whatever turns it into a
// local reply needs no guessing. Always a protocol error: the connection is not reused after it.

/** 400 malformed, 414 target too long, 431 head too large or too many fields, 505 version. */
export type RequestHeadStatus = 400 | 414 | 431 | 505

export class RequestHeadError extends Error {
  readonly status: RequestHeadStatus
  /** Envoy's response code detail where it has one (`http1.codec_error`, `http1.headers_too_large`…). */
  readonly code: string

  constructor(status: RequestHeadStatus, code: string, message: string) {
    super(message)
    this.name = 'RequestHeadError'
    this.status = status
    this.code = code
  }
}

export const malformed = (why: string) => new RequestHeadError(400, 'http1.codec_error', why)
export const invalidCharacters = (why: string) => new RequestHeadError(400, 'http1.invalid_characters', why)
