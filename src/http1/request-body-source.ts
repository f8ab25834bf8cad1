// A request body read from the connection's bytes, for the byte-level listener
// (docs/architecture/byte-listener.md, phase 4): the connection loop pushes what arrives, this
// frames it (Content-Length, or chunked through request-chunked-decoder.ts), hands the body to the
// proxy path as `request.body`, and holds the connection's reading while the reader is behind.
// Runtime-neutral: a standard ReadableStream, the connection reached only through BodyFlow.
//
// The stream's own queue is kept empty (highWaterMark 0): its pull() is then called exactly when
// a read is waiting and nothing is queued, which is what `Expect: 100-continue` waits for (a read
// before any byte) and what tells the source that the reader took a piece, so the bound below is
// the source's own queue, counted exactly in both directions.

import { BODY_HIGH_WATER_BYTES } from './body-stream.ts'
import { joined } from './joined.ts'
import { RequestChunkedDecoder, type ChunkSink } from './request-chunked-decoder.ts'
import type { RequestBodyError } from './request-body-error.ts'

/** How the head framed the body: a declared length (framingErrorOf has judged it), or chunked. */
export type BodyFraming = { readonly length: number } | 'chunked'

/** The connection's reading, as the body holds it: the ServerTransport, or the loop's wrapper of it. */
export interface BodyFlow {
  pause(): void
  resume(): void
}

export type RequestBodyOptions = {
  /** Sends `100 Continue`: called once, on the first read, if no byte of the body has arrived by then. */
  continue100?: (() => void) | undefined
  /** The chunked trailer section's bound (default 60 KiB, as max_request_headers_kb). */
  maxTrailerBytes?: number | undefined
  /** Queued unread bytes before the connection's reading is paused (default BODY_HIGH_WATER_BYTES). */
  queueBytes?: number | undefined
}

/**
 * Queued pieces before pausing, whatever their size: a body of one-byte chunks would otherwise
 * queue tens of thousands of views under the byte bound. 64 KiB in pieces of 64 bytes.
 */
const MAX_QUEUED_PIECES = 1024

/** What a reader still holding the stream gets once the body is discarded: never a silently short body. */
const discarded = () => new Error('request body discarded: the response went out before it was read')

export class RequestBodySource implements ChunkSink {
  /** What the proxy path reads as request.body. */
  readonly stream: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  readonly #flow: BodyFlow
  /** Content-Length: the bytes still to come. Chunked: unused (the decoder knows its end). */
  #remaining: number
  readonly #chunked: RequestChunkedDecoder | undefined
  #continue100: (() => void) | undefined
  readonly #limit: number
  /** Pieces not yet handed to the reader, from #head on. */
  #queue: (Uint8Array | undefined)[] = []
  #head = 0
  #queued = 0
  /** A read is waiting on an empty queue: the next piece goes straight to it. */
  #waiting = false
  #paused = false
  /** The stream can still be fed: not closed, errored or cancelled. */
  #open = true
  #discarding = false
  /** Aborted or malformed: push consumes nothing more. */
  #ended = false
  #error: RequestBodyError | undefined

  constructor(framing: BodyFraming, flow: BodyFlow, options?: RequestBodyOptions) {
    this.#flow = flow
    this.#continue100 = options?.continue100
    this.#limit = options?.queueBytes ?? BODY_HIGH_WATER_BYTES
    this.#chunked = framing === 'chunked' ? new RequestChunkedDecoder(this, options?.maxTrailerBytes) : undefined
    this.#remaining = framing === 'chunked' ? -1 : framing.length
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
          if (this.done) this.#close()
        },
        pull: () => this.#pull(),
        cancel: () => this.#cancelled(),
      },
      { highWaterMark: 0 },
    )
  }

  /** The body's last byte (chunked: the last chunk and the trailer section) has been pushed. */
  get done(): boolean {
    return this.#chunked === undefined ? this.#remaining === 0 : this.#chunked.done
  }

  /** The chunked body was malformed: answer 400 with its detail and close the connection. */
  get error(): RequestBodyError | undefined {
    return this.#error
  }

  /**
   * No 100 Continue has gone out and no byte of the body has arrived: a client that sent `Expect:
   * 100-continue` may still be waiting, so after a response the connection should close rather
   * than wait in discard() for a body that may never come.
   */
  get awaitingContinue(): boolean {
    return this.#continue100 !== undefined && !this.done
  }

  /**
   * Connection bytes for this body, in arrival order; returns how many of them were the body's
   * (the rest are the next request's head). Accepts every byte it is given even while the
   * connection is paused (a runtime may deliver a read already made): the queue grows past its
   * bound then, it never drops. After abort() or a malformed byte, consumes nothing more.
   */
  push(bytes: Uint8Array): number {
    if (this.#ended || bytes.byteLength === 0 || this.done) return 0
    this.#continue100 = undefined
    let used: number
    if (this.#chunked === undefined) {
      used = Math.min(this.#remaining, bytes.byteLength)
      this.#remaining -= used
      this.chunkData(used === bytes.byteLength ? bytes : bytes.subarray(0, used))
    } else {
      used = this.#chunked.push(bytes)
      const error = this.#chunked.error
      if (error !== undefined) {
        this.#error = error
        this.#end(error)
        return used
      }
    }
    if (this.done) {
      if (this.#waiting) this.#close()
    } else if (!this.#paused && (this.#queued >= this.#limit || this.#queue.length - this.#head >= MAX_QUEUED_PIECES)) {
      this.#paused = true
      this.#flow.pause()
    }
    return used
  }

  /** The connection closed or broke before the body ended: the stream errors with `cause`. */
  abort(cause: Error): void {
    if (this.#ended || this.done) return
    this.#end(cause)
  }

  /**
   * The response went out before the body was read: keep consuming the body's bytes (push still
   * counts them, so the next request on the connection is found) without queuing them. The stream
   * is errored rather than closed, so a reader still holding it never takes a short body as whole.
   */
  discard(): void {
    if (this.#discarding || this.#ended) return
    this.#discarding = true
    this.#drop()
    if (this.#open) {
      this.#open = false
      this.#controller.error(discarded())
    }
    this.#resume()
  }

  /**
   * The whole body as one buffer, for ProxyRequest.arrayBuffer() (the path's retry buffer): once
   * every byte has arrived the queue is joined at once, without a stream read a piece (a
   * `new Response(stream).arrayBuffer()` costs ~1.5 µs more on a 90-byte body on Bun,
   * bench/request-body-cost.ts). Rejects as the stream would: locked or used, aborted, malformed.
   */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const reader = this.stream.getReader()
    if (this.#open && this.done) {
      const pieces = this.#queue.slice(this.#head) as Uint8Array[]
      this.#drop()
      this.#close()
      this.#resume()
      return joined(pieces).buffer
    }
    const pieces: Uint8Array[] = []
    for (let next = await reader.read(); !next.done; next = await reader.read()) pieces.push(next.value)
    return joined(pieces).buffer
  }

  /** ChunkSink: a piece of the body's data, a view into what arrived (the transport never reuses it). */
  chunkData(bytes: Uint8Array): void {
    if (!this.#open) return
    if (this.#waiting) {
      this.#waiting = false
      this.#controller.enqueue(bytes)
      return
    }
    this.#queue.push(bytes)
    this.#queued += bytes.byteLength
  }

  #pull(): void {
    if (!this.#open) return
    if (this.#head < this.#queue.length) {
      const piece = this.#queue[this.#head] as Uint8Array
      this.#queue[this.#head++] = undefined
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0
        this.#head = 0
      }
      this.#queued -= piece.byteLength
      this.#controller.enqueue(piece)
      // Half the bound: the connection is not paused and resumed on every piece the reader takes.
      if (this.#paused && this.#queued <= this.#limit / 2 && this.#queue.length - this.#head <= MAX_QUEUED_PIECES / 2) this.#resume()
      return
    }
    if (this.done) return this.#close()
    this.#waiting = true
    this.#resume()
    const continue100 = this.#continue100
    if (continue100 !== undefined) {
      this.#continue100 = undefined
      continue100()
    }
  }

  /** The reader cancelled: the body is still the connection's, so it is consumed and dropped. */
  #cancelled(): void {
    if (!this.#open) return
    this.#open = false
    this.#discarding = true
    this.#drop()
    this.#resume()
  }

  #close(): void {
    this.#open = false
    this.#waiting = false
    this.#controller.close()
  }

  #end(cause: Error): void {
    this.#ended = true
    this.#continue100 = undefined
    this.#drop()
    if (this.#open) {
      this.#open = false
      this.#controller.error(cause)
    }
  }

  #drop(): void {
    this.#queue = []
    this.#head = 0
    this.#queued = 0
    this.#waiting = false
  }

  #resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#flow.resume()
  }
}
