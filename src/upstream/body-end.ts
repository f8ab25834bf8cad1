// The end of a streamed upstream body as the upstream client reports it: edgeway's HTTP/1.1 client
// frames the body, so it knows the bytes, the last one, a reset, and its reader cancelling. With
// that the response phase hands the client's own Response on (headers edited in place) instead of
// wrapping the body in a second stream only to count bytes and see the end: one JS stream layer
// less per chunk. The client reports the end once the runtime has read the last chunk, so the
// request's duration and span still end where they did with the wrapping stream.

import type { ProxyResponse } from '../runtime.ts'

/** `failure`: the body broke (reset, abort); `cancelled`: its reader (the downstream side) stopped reading. */
export type BodyEndListener = (bytes: number, failure: unknown, cancelled: boolean) => void

export class BodyEnd {
  /** Bytes the runtime has read so far (the client counts what leaves its queue). */
  bytes = 0
  #listener: BodyEndListener | undefined = undefined
  #ended = false
  #failure: unknown = undefined
  #cancelled = false

  /** One listener; told at once if the body has already ended. */
  listen(listener: BodyEndListener): void {
    if (this.#ended) listener(this.bytes, this.#failure, this.#cancelled)
    else this.#listener = listener
  }

  /** The client's side: called once (later calls are ignored). */
  end(failure: unknown, cancelled: boolean): void {
    if (this.#ended) return
    this.#ended = true
    this.#failure = failure
    this.#cancelled = cancelled
    const listener = this.#listener
    this.#listener = undefined
    listener?.(this.bytes, failure, cancelled)
  }
}

// A module-private symbol property rather than a WeakMap entry, for the reason whole-body.ts gives.
const BODY_END = Symbol('edgeway.bodyEnd')
type Marked = Response & { [BODY_END]?: BodyEnd }

/** Marks `response` (a client's streamed one) as reporting its body's end through `end`. */
export function reportsBodyEnd(response: Response, end: BodyEnd): void {
  ;(response as Marked)[BODY_END] = end
}

/** The reporter of an unread response marked by reportsBodyEnd; undefined for any other. */
export function bodyEndOf(response: ProxyResponse): BodyEnd | undefined {
  return response.bodyUsed ? undefined : (response as Marked)[BODY_END]
}
