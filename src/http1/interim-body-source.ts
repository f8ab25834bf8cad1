// A stand-in for helper body18's request-body-source.ts (stop 33), with its contract, so the
// connection loop can carry request bodies before that lands: a Content-Length or chunked body from
// the connection's bytes into a ReadableStream, the connection paused while the stream is full.
// Deleted when body18's RequestBodySource is merged (server-connection.ts then imports that).

import { ChunkedDecoder } from './chunked-decoder.ts'
import { RequestHeadError } from './request-head-error.ts'

export type BodyFraming = { readonly length: number } | 'chunked'
export type BodyFlow = { pause(): void; resume(): void }
export type BodySourceOptions = { readonly continue100?: () => void }

export class RequestBodySource {
  readonly stream: ReadableStream<Uint8Array>
  done = false
  error: RequestHeadError | undefined
  #controller!: ReadableStreamDefaultController<Uint8Array>
  #remaining: number
  readonly #decoder: ChunkedDecoder | undefined
  readonly #flow: BodyFlow
  #continue100: (() => void) | undefined
  #discarding = false

  constructor(framing: BodyFraming, flow: BodyFlow, options: BodySourceOptions = {}) {
    this.#flow = flow
    this.#remaining = framing === 'chunked' ? Infinity : framing.length
    this.#decoder = framing === 'chunked' ? new ChunkedDecoder() : undefined
    this.#continue100 = options.continue100
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller
      },
      pull: () => {
        const go = this.#continue100
        this.#continue100 = undefined
        go?.()
        this.#flow.resume()
      },
      cancel: () => this.discard(),
    })
    if (this.#remaining === 0) this.#finish()
  }

  /** How many of `bytes` were the body's; the rest belong to the next request. */
  push(bytes: Uint8Array): number {
    if (this.done) return 0
    if (this.#decoder === undefined) {
      const take = Math.min(this.#remaining, bytes.byteLength)
      this.#remaining -= take
      this.#enqueue(take === bytes.byteLength ? bytes : bytes.subarray(0, take))
      if (this.#remaining === 0) this.#finish()
      return take
    }
    let pushed: { data: Uint8Array[]; consumed: number }
    try {
      pushed = this.#decoder.push(bytes)
    } catch (cause) {
      this.error = new RequestHeadError(400, 'http1.codec_error', `invalid chunked request body: ${(cause as Error).message}`)
      this.done = true
      if (!this.#discarding) this.#controller.error(this.error)
      return bytes.byteLength
    }
    for (const piece of pushed.data) this.#enqueue(piece)
    if (this.#decoder.done) this.#finish()
    return pushed.consumed
  }

  /** The connection closed mid-body. */
  abort(cause: unknown): void {
    if (this.done) return
    this.done = true
    if (!this.#discarding) this.#controller.error(cause)
  }

  /** The response is done before the body was read: consume what is left without queuing it. */
  discard(): void {
    if (this.#discarding) return
    this.#discarding = true
    this.#continue100 = undefined
    this.#flow.resume()
  }

  #enqueue(bytes: Uint8Array): void {
    if (this.#discarding || bytes.byteLength === 0) return
    this.#controller.enqueue(bytes)
    if ((this.#controller.desiredSize ?? 0) <= 0) this.#flow.pause()
  }

  #finish(): void {
    this.done = true
    if (!this.#discarding) this.#controller.close()
  }
}
