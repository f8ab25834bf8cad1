// The error of a request body the byte-level listener cannot frame (a malformed chunked body):
// a RequestHeadError, so whatever answers a malformed head answers it the same way (400 and a
// closed connection: nothing after it can be framed), with Envoy's response-code detail also under
// the name the body source's contract gives it. Envoy reports every chunked-framing fault as a codec
// error (`http1.codec_error`), whichever parser it runs (http-parser or Balsa).

import { RequestHeadError } from './request-head-error.ts'

export class RequestBodyError extends RequestHeadError {
  constructor(why: string) {
    super(400, 'http1.codec_error', why)
    this.name = 'RequestBodyError'
  }

  /** Envoy's response-code detail: the same value as `code`. */
  get detail(): string {
    return this.code
  }
}
