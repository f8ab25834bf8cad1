// What an exchange (exchange.ts) is given by its client and its connection: the request, who is told
// when the connection is free again, and what every exchange of one client shares.

import type { BodyStreams } from './body-stream.ts'
import type { FieldBlock } from './head-bytes.ts'
import type { FramedBody } from './request-body.ts'
import type { RequestWriter } from './request-writer.ts'
import type { ResponseReader } from './response-reader.ts'
import type { UpstreamError } from './upstream-error.ts'
import type { ProxyResponse } from '../runtime.ts'

export type ExchangeRequest = {
  readonly method: string
  /** Origin-form request target (path and query). */
  readonly target: string
  /** Its key (`ip:port`) is the default `host` field when the request's fields carry none. */
  readonly endpoint: { readonly key: string }
  /** The fields to write: the caller's, or the body's copy naming its content type (FramedBody.headers). */
  readonly headers: Headers
  readonly body: FramedBody
  /** Fields to write after the body's headers (UpstreamRequest.fields); read when the head is written. */
  readonly block?: FieldBlock | null
  readonly signal: AbortSignal
}

/** Told once when the connection is no longer the exchange's: true when it may carry another request. */
export interface ExchangeDone {
  exchangeDone(reusable: boolean): void
  /**
   * A pooled connection keeps its last exchange's reader and writer here when that exchange left it
   * reusable, and the next exchange on it resets them instead of making its own (two objects fewer
   * an exchange). Set only then: after a failure, abort or close the connection is not reused.
   */
  spareReader?: ResponseReader | undefined
  spareWriter?: RequestWriter | undefined
}

/**
 * Asked when a reused connection failed before any response byte (`error.stale`): a promise of the
 * response from a fresh connection, or undefined to fail with `error`. One per client, so a
 * request that may be resent carries no closure or async frame of its own.
 */
export interface StaleResend {
  resend(request: ExchangeRequest, error: UpstreamError): Promise<ProxyResponse> | undefined
}

/** What every exchange of one client shares: one object a client, not two fields an exchange. */
export type ExchangeShared = {
  /** The stream a streamed response body is read through (body-stream.ts). */
  readonly streams: BodyStreams
  readonly stale: StaleResend | undefined
  /** A whole-body answer is an UpstreamAnswer record, not a Response (the byte listener's client: Http1ClientOptions.answerRecords). */
  readonly records?: boolean
}
