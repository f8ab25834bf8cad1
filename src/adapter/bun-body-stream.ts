// A streamed response body on Bun as a `type: "direct"` ReadableStream (src/http1/body-stream.ts's
// port, same contract as queuedBodyStream): each chunk the exchange pushes is written straight
// to the destination's sink with `controller.write`, without a JS queue, a size callback or a
// pull per chunk. Bun.serve (HTTP/1.1, h2, h3) and `arrayBuffer()` take the bytes at `write`;
// a JS reader (`getReader()`, `text()`, `pipeThrough()`) gets them from a buffer Bun keeps for it,
// and asks `pull` on each read.
//
// What Bun 1.4 does with one (checked in bun-body-stream.test.ts): `pull` is called once by a
// sink and once per read by a JS reader; `write` returns a pending promise while the destination
// is full (the chunk is taken anyway) and 0 once it has gone away; the downstream leaving calls
// the source's `cancel`; `close(error)` errors the consumer.

import { BODY_HIGH_WATER_BYTES, type BodyStreamOwner, type BodyStreams, type ResponseBodyStream } from '../http1/body-stream.ts'
import type { BodyEnd } from '../upstream/body-end.ts'

// The DOM lib's ReadableStream overloads shadow bun-types' direct one in this project's typecheck.
type DirectStreamConstructor = new (source: Bun.DirectUnderlyingSource<Uint8Array>, strategy: QueuingStrategy<Uint8Array>) => ReadableStream<Uint8Array>
const DirectStream = ReadableStream as unknown as DirectStreamConstructor

/** Bun's direct-stream body for the HTTP/1.1 client (`bodyStreams`). */
export const bunDirectBodyStream: BodyStreams = (owner, end) => new DirectBody(owner, end)

class DirectBody implements ResponseBodyStream {
  readonly stream: ReadableStream<Uint8Array>
  #controller: ReadableStreamDirectController | undefined = undefined
  /** Chunks pushed before the consumer's first pull (the head's early bytes, mostly). */
  #early: Uint8Array[] | undefined = undefined
  #earlyBytes = 0
  /**
   * A sink (Bun.serve, arrayBuffer(), text()) pulls once and takes each byte at `write`. A JS reader
   * pulls once per read: a read takes what Bun holds for it, or waits for the next write. Bytes are
   * counted both ways; which count is the truth shows at the second pull, which only a reader makes.
   */
  #pulls = 0
  #taken = 0
  #unread = 0
  #readWaiting = false
  /** Writes whose promise (the destination was full) has not settled yet. */
  #blocked = 0
  #finishing = false
  #failure: unknown = undefined
  #failed = false
  #over = false
  readonly #drained = () => this.#onDrained()
  readonly #gone = () => this.#cancel()

  constructor(
    private readonly owner: BodyStreamOwner,
    private readonly end: BodyEnd,
  ) {
    const source: Bun.DirectUnderlyingSource<Uint8Array> = {
      type: 'direct',
      pull: (controller) => this.#pull(controller),
      cancel: () => this.#cancel(),
    }
    // The highWaterMark is the JS reader's buffer (the sinks have their own).
    this.stream = new DirectStream(source, { highWaterMark: BODY_HIGH_WATER_BYTES })
  }

  push(chunk: Uint8Array): boolean {
    if (this.#over) return true
    const controller = this.#controller
    if (controller === undefined) {
      ;(this.#early ??= []).push(chunk)
      this.#earlyBytes += chunk.byteLength
      return this.#earlyBytes < BODY_HIGH_WATER_BYTES
    }
    const room = this.#write(controller, chunk)
    controller.flush()
    return room
  }

  finish(): void {
    if (this.#over) return
    this.#finishing = true
    // Before the first pull the consumer has taken nothing: the pull ends it. A JS reader with
    // bytes still in Bun's buffer ends it with the read that takes them.
    if (this.#controller !== undefined && !(this.#pulls > 1 && this.#unread > 0)) this.#close(this.#controller)
  }

  fail(error: unknown): void {
    if (this.#over) return
    this.#over = true
    this.end.bytes = this.#takenSoFar()
    if (this.#controller !== undefined) this.#controller.close(asError(error))
    else {
      this.#failed = true
      this.#failure = error
    }
    this.end.end(error, false)
  }

  #pull(controller: ReadableStreamDirectController): void {
    this.#pulls++
    // A read takes whatever the buffer holds, or waits for the next write.
    this.#taken += this.#unread
    this.#readWaiting = this.#unread === 0
    this.#unread = 0
    if (this.#controller === undefined) {
      this.#controller = controller
      if (this.#failed) return controller.close(asError(this.#failure))
      if (this.#over) return controller.close()
      const early = this.#early
      this.#early = undefined
      if (early !== undefined) {
        for (let i = 0; i < early.length; i++) {
          this.#write(controller, early[i]!)
          controller.flush()
        }
        // A full early queue paused the transport (push said so): it reads again once there is room.
        if (this.#blocked === 0 && !this.#over) this.owner.resume()
      }
    }
    if (this.#finishing && !this.#over && !(this.#pulls > 1 && this.#unread > 0)) this.#close(controller)
  }

  /** True while the destination has room. */
  #write(controller: ReadableStreamDirectController, chunk: Uint8Array): boolean {
    const written = controller.write(chunk)
    if (written === 0 && chunk.byteLength > 0) {
      // The destination has gone away. Bun calls cancel too; whichever comes first reports it,
      // this one after the exchange's data callback has returned (not from inside its push).
      queueMicrotask(this.#gone)
      return true
    }
    if (this.#readWaiting) {
      this.#readWaiting = false
      this.#taken += chunk.byteLength
    } else this.#unread += chunk.byteLength
    if (typeof written === 'number') return true
    this.#blocked++
    written.then(this.#drained, this.#drained)
    return false
  }

  #onDrained(): void {
    if (--this.#blocked === 0 && !this.#over) this.owner.resume()
  }

  /** A sink took every byte written; a reader (a second pull seen) only what its reads got. */
  #takenSoFar(): number {
    return this.#pulls > 1 ? this.#taken : this.#taken + this.#unread
  }

  #close(controller: ReadableStreamDirectController): void {
    this.#over = true
    controller.end()
    this.end.bytes = this.#takenSoFar()
    this.end.end(undefined, false)
  }

  #cancel(): void {
    if (this.#over) return
    this.#over = true
    this.end.bytes = this.#takenSoFar()
    this.end.end(undefined, true)
    this.owner.cancelled()
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
