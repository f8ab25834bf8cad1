// A fake downstream transport for the response writer's tests: it records every write (copied, as
// a real transport owns what it is handed), says its queue is full past a mark until drain(),
// and counts destroys.

import type { WriterTransport } from './response-writer.ts'

export class FakeTransport implements WriterTransport {
  closed = false
  destroyed = 0
  readonly writes: Uint8Array[] = []
  /** Bytes written since the last drain; write() returns false once this passes `mark`. */
  queued = 0
  copiesWrites?: boolean
  ranges = 0

  constructor(readonly mark = Number.POSITIVE_INFINITY) {}

  write(bytes: Uint8Array): boolean {
    this.writes.push(bytes.slice())
    this.queued += bytes.byteLength
    return this.queued <= this.mark
  }

  destroy(): void {
    this.destroyed++
    this.closed = true
  }

  /** What the kernel took: the queue is empty again. */
  drained(): void {
    this.queued = 0
  }

  get text(): string {
    let out = ''
    for (const bytes of this.writes) for (const byte of bytes) out += String.fromCharCode(byte)
    return out
  }

  get bytes(): Uint8Array {
    const total = this.writes.reduce((n, w) => n + w.byteLength, 0)
    const out = new Uint8Array(total)
    let at = 0
    for (const w of this.writes) {
      out.set(w, at)
      at += w.byteLength
    }
    return out
  }
}

/** A transport that copies writes and takes ranges (as bun-transport.ts), counting the ranges. */
export class RangeTransport extends FakeTransport {
  override copiesWrites = true
  writeRange(bytes: Uint8Array, start: number, end: number): boolean {
    this.ranges++
    return this.write(bytes.subarray(start, end))
  }
}

const encoder = new TextEncoder()

/** A stream that hands out `chunks` one per pull, each after a macrotask (an upstream body still arriving); counts pulls. */
export function slowStream(chunks: (string | Uint8Array)[], options: { failAfter?: number } = {}): { stream: ReadableStream<Uint8Array>; pulls: () => number; cancelled: () => boolean } {
  let i = 0
  let pulls = 0
  let cancelled = false
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        pulls++
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (options.failAfter !== undefined && i === options.failAfter) return controller.error(new Error('upstream reset'))
        if (i < chunks.length) {
          const chunk = chunks[i++]!
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
        } else controller.close()
      },
      cancel() {
        cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, pulls: () => pulls, cancelled: () => cancelled }
}
