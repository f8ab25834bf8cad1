// The stream a streamed response body reaches its reader through, and the port the exchange feeds
// it by: push the chunks as they arrive, pause the transport when the reader is behind, and report
// the body's end (src/upstream/body-end.ts) once the reader has taken the last byte, so a request's
// duration and span end where the runtime's last read is. `queuedBodyStream` is the standard
// ReadableStream every runtime has; an adapter may hand the client a cheaper one for its runtime,
// with the same contract.

import type { BodyEnd } from '../upstream/body-end.ts'

/** The exchange, as the body's stream sees it. */
export interface BodyStreamOwner {
  /** The reader has room again: read from the transport. */
  resume(): void
  /** The reader stopped reading (the downstream left): the connection is not reusable. */
  cancelled(): void
}

/** One response body's stream, fed by its exchange. */
export interface ResponseBodyStream {
  readonly stream: ReadableStream<Uint8Array>
  /** Adds arrived bytes; false when the reader is behind: pause the transport until resume(). */
  push(chunk: Uint8Array): boolean
  /** Every byte has arrived: the stream closes once the reader has taken them, and reports the end. */
  finish(): void
  /** The body broke (reset, abort): the reader gets `error`, the end is reported as a failure. */
  fail(error: unknown): void
}

/** Makes the stream of one streamed response body; `end` is told how it ended. */
export type BodyStreams = (owner: BodyStreamOwner, end: BodyEnd) => ResponseBodyStream

/** How much response body may queue unread before the transport is paused. */
export const BODY_HIGH_WATER_BYTES = 64 * 1024

/** A standard ReadableStream with a byte-counting queue (any runtime). */
export const queuedBodyStream: BodyStreams = (owner, end) => new QueuedBody(owner, end)

class QueuedBody implements ResponseBodyStream {
  readonly stream: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  #enqueued = 0
  #finishing = false
  #over = false

  constructor(
    private readonly owner: BodyStreamOwner,
    private readonly end: BodyEnd,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.#controller = controller),
        pull: () => {
          this.end.bytes = this.#taken()
          if (this.#finishing) this.#closeIfDrained()
          else this.owner.resume()
        },
        cancel: () => {
          if (this.#over) return
          this.#over = true
          // Not #taken(): cancelling empties the queue (desiredSize 0), so the last pull's count stands.
          this.end.end(undefined, true)
          this.owner.cancelled()
        },
      },
      { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
    )
  }

  push(chunk: Uint8Array): boolean {
    this.#controller.enqueue(chunk)
    this.#enqueued += chunk.byteLength
    return (this.#controller.desiredSize ?? 1) > 0
  }

  finish(): void {
    this.#finishing = true
    this.#closeIfDrained()
  }

  fail(error: unknown): void {
    if (this.#over) return
    this.#over = true
    this.end.bytes = this.#taken()
    this.#controller.error(error)
    this.end.end(error, false)
  }

  /** What the reader has taken: all enqueued bytes but those still queued. */
  #taken(): number {
    return this.#enqueued - (BODY_HIGH_WATER_BYTES - (this.#controller.desiredSize ?? 0))
  }

  /** The stream closes only once its queue has drained: the end is the reader's last read. */
  #closeIfDrained(): void {
    if (this.#over || this.#controller.desiredSize !== BODY_HIGH_WATER_BYTES) return
    this.#over = true
    this.#controller.close()
    this.end.bytes = this.#enqueued
    this.end.end(undefined, false)
  }
}
