// Where the process's lines go: a file descriptor (stdout, stderr, or an access log's file opened
// for append), written synchronously so a chunk is on its way before the process can exit, in
// order. The CLI writes everything it prints this way, its own lines (the startup line, the logger,
// config errors) through the same stdout and stderr sinks as the access log's lines, so one queue
// per descriptor keeps them in order (process-output.ts).
// - A regular file (a log path, or stdout redirected to one) gets one write per chunk: O_APPEND
//   places each write whole at the end, so the lines of several worker processes never mix.
// - A pipe, socket or terminal gets pieces of at most PIPE_BUF bytes ending at a line's end: only
//   writes that small are atomic on a pipe that several workers share.
// - A pipe with no room (non-blocking on Bun, Runtime.nonBlockingStdio: EAGAIN) keeps the rest queued and
//   retries shortly, while new chunks queue behind it; drain() waits for the reader at exit. Both
//   runtimes' own stdout streams drop what they still queue when the process exits.

import { fstatSync, openSync, writeSync } from 'node:fs'

/** Linux's PIPE_BUF: writes up to this size to a pipe are never interleaved with other writers'. */
export const PIPE_ATOMIC_BYTES = 4096
const RETRY_MS = 10

export type FdSinkDeps = {
  /** Where the sink says it had to give up (a line of its own). */
  readonly log: (line: string) => void
  readonly timers: { readonly setTimeout: (fn: () => void, ms: number) => unknown }
  /** Blocks the thread for `ms` (drain at exit); default Atomics.wait. */
  readonly sleepSync?: (ms: number) => void
  /** node:fs, injectable for tests. */
  readonly fs?: {
    readonly openSync: (path: string, flags: 'a') => number
    readonly writeSync: (fd: number, bytes: Uint8Array, offset: number, length: number) => number
    readonly fstatSync: (fd: number) => { isFile(): boolean }
  }
}

/** The runtime's timers, as FdSink and the access log's LineBuffers take them. */
export const systemTimers = {
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

const encoder = new TextEncoder()
const wouldBlock = (error: unknown) => {
  const e = error as { code?: string; name?: string }
  return e?.code === 'EAGAIN' || e?.code === 'EWOULDBLOCK' || e?.name === 'WouldBlock'
}
const defaultSleep = (ms: number) => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

export class FdSink {
  private fd: number | undefined
  private regularFile = false
  private readonly queue: Uint8Array[] = []
  private retrying = false
  private failed = false
  private readonly fs: NonNullable<FdSinkDeps['fs']>

  /** `target`: a descriptor (1, 2) or a path opened for append on the first chunk. */
  constructor(
    private readonly target: number | string,
    private readonly deps: FdSinkDeps,
  ) {
    this.fs = deps.fs ?? { openSync: (path, flags) => openSync(path, flags), writeSync: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length), fstatSync: (fd) => fstatSync(fd) }
  }

  /** A chunk of whole lines. */
  readonly write = (chunk: string): void => this.writeBytes(encoder.encode(chunk))

  /**
   * A chunk of whole lines as UTF-8. The bytes are written (or copied) before this returns: the
   * caller may reuse the array (LineBuffer does).
   */
  readonly writeBytes = (bytes: Uint8Array): void => {
    if (this.failed) return
    try {
      const fd = this.open()
      if (this.regularFile) {
        this.writeAll(fd, bytes)
        return
      }
      for (const piece of linePieces(bytes, PIPE_ATOMIC_BYTES)) this.queue.push(piece)
      if (!this.retrying) this.pump()
      // What waits for the reader must not be a view of the caller's array.
      for (let i = 0; i < this.queue.length; i++) if (this.queue[i]!.buffer === bytes.buffer) this.queue[i] = this.queue[i]!.slice()
    } catch (error) {
      this.fail(error)
    }
  }

  /** At exit: waits (at most `limitMs`) until every queued piece is written. */
  drain(limitMs = 5000): void {
    if (this.failed || this.queue.length === 0) return
    const deadline = Date.now() + limitMs
    const sleep = this.deps.sleepSync ?? defaultSleep
    try {
      while (!this.pump()) {
        if (Date.now() > deadline) {
          this.failed = true
          this.deps.log(`edgeway: ${this.name()}: the reader took no more lines for ${limitMs} ms at exit: ${this.queue.reduce((n, p) => n + p.byteLength, 0)} bytes dropped`)
          return
        }
        sleep(1)
      }
    } catch (error) {
      this.fail(error)
    }
  }

  /** Bytes waiting for room in a pipe. */
  get queued(): number {
    return this.queue.reduce((n, piece) => n + piece.byteLength, 0)
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd
    const fd = typeof this.target === 'number' ? this.target : this.fs.openSync(this.target, 'a')
    this.regularFile = this.fs.fstatSync(fd).isFile()
    this.fd = fd
    return fd
  }

  /** A regular file takes the whole chunk in one write (a short one is finished, not reordered). */
  private writeAll(fd: number, bytes: Uint8Array): void {
    let offset = 0
    while (offset < bytes.byteLength) offset += this.fs.writeSync(fd, bytes, offset, bytes.byteLength - offset)
  }

  /** Writes queued pieces in order until the pipe is full; true when nothing is left. */
  private pump(): boolean {
    const fd = this.fd!
    while (this.queue.length > 0) {
      const piece = this.queue[0]!
      let written: number
      try {
        written = this.fs.writeSync(fd, piece, 0, piece.byteLength)
      } catch (error) {
        if (!wouldBlock(error)) throw error
        this.retryLater()
        return false
      }
      if (written < piece.byteLength) this.queue[0] = piece.subarray(written)
      else this.queue.shift()
    }
    return true
  }

  private retryLater(): void {
    if (this.retrying) return
    this.retrying = true
    this.deps.timers.setTimeout(() => {
      this.retrying = false
      try {
        this.pump()
      } catch (error) {
        this.fail(error)
      }
    }, RETRY_MS)
  }

  private fail(error: unknown): void {
    this.failed = true
    this.queue.length = 0
    this.deps.log(`edgeway: ${this.name()}: ${(error as Error).message}: its lines are dropped from now on`)
  }

  private name(): string {
    return typeof this.target === 'number' ? (this.target === 2 ? 'stderr' : 'stdout') : `access log "${this.target}"`
  }
}

/** Splits whole lines into pieces of at most `max` bytes, each ending at a line's end (a longer line is a piece of its own). */
export function linePieces(bytes: Uint8Array, max: number): Uint8Array[] {
  if (bytes.byteLength <= max) return [bytes]
  const pieces: Uint8Array[] = []
  let start = 0
  while (start < bytes.byteLength) {
    if (bytes.byteLength - start <= max) {
      pieces.push(bytes.subarray(start))
      break
    }
    // The last newline that keeps the piece within max; none: the line alone, whatever its size.
    let end = bytes.lastIndexOf(10, start + max - 1) + 1
    if (end <= start) end = bytes.indexOf(10, start) + 1 || bytes.byteLength
    pieces.push(bytes.subarray(start, end))
    start = end
  }
  return pieces
}
