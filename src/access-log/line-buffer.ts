// Envoy's file access-log buffering (AccessLogFileImpl): lines are appended to an in-memory buffer
// and written out when it holds `flushMinBytes` (Envoy's --file-flush-min-size-kb, 64 KiB) or
// `flushIntervalMs` after the first line it got (--file-flush-interval-msec), whichever comes first,
// and on every way out (flush()). Under load a request costs the copy of its line into one reused
// byte array (line-bytes.ts says why not a string) instead of a share of a write, a timer and a join
// per event-loop turn; an idle proxy keeps no timer. The sink gets whole lines only, in the order
// they were appended.

import { LineBytes } from './line-bytes.ts'

/** Envoy's --file-flush-min-size-kb default: 64 KiB. */
export const DEFAULT_FLUSH_MIN_BYTES = 64 * 1024

/** A larger --file-flush-min-size-kb grows the array as lines come instead of reserving it all up front. */
const MAX_INITIAL_BYTES = 1024 * 1024
const decoder = new TextDecoder()

/**
 * edgeway's default --file-flush-interval-msec: 1 s. Envoy's is 10 s, which hides a request's line
 * from `docker compose logs -f` for that long; under load the 64 KiB bound flushes long before the
 * interval anyway (every ~20 ms at 15 000 req/s), so a shorter interval costs only at low rates,
 * where one write a second is nothing. 1 s is also what Istio runs Envoy with.
 */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000

export type LineBufferOptions = {
  readonly flushIntervalMs: number
  readonly flushMinBytes: number
  readonly timers: {
    readonly setTimeout: (fn: () => void, ms: number) => unknown
    readonly clearTimeout: (handle: unknown) => void
  }
}

export class LineBuffer {
  private lines: LineBytes | undefined = undefined
  private timer: unknown = undefined
  private readonly onTimer = () => {
    this.timer = undefined
    this.flush()
  }

  /**
   * `write` gets one chunk of whole lines, each ending in `\n`; `writeBytes`, when the sink has it
   * (FdSink), gets the same chunk as UTF-8 and must take it before it returns (the array is reused).
   */
  constructor(
    private readonly write: (chunk: string) => void,
    private readonly options: LineBufferOptions,
    private readonly writeBytes?: (bytes: Uint8Array) => void,
  ) {}

  append(line: string): void {
    this.buffer().text(line)
    this.ended()
  }

  /** A line that `format` writes straight into the buffer (the default text format: no line string at all). */
  appendWith<T>(format: (out: LineBytes, value: T) => void, value: T): void {
    format(this.buffer(), value)
    this.ended()
  }

  /** Writes what is buffered now (timer, full buffer, drain, reload, exit). */
  flush(): void {
    if (this.timer !== undefined) {
      this.options.timers.clearTimeout(this.timer)
      this.timer = undefined
    }
    const lines = this.lines
    if (lines === undefined || lines.length === 0) return
    const chunk = lines.bytes.subarray(0, lines.length)
    lines.length = 0
    if (this.writeBytes) this.writeBytes(chunk)
    else this.write(decoder.decode(chunk))
  }

  /** Bytes waiting for the next flush. */
  get pending(): number {
    return this.lines?.length ?? 0
  }

  /** Made on the first line: a destination nobody logs to holds no array. */
  private buffer(): LineBytes {
    return (this.lines ??= new LineBytes(Math.min(this.options.flushMinBytes, MAX_INITIAL_BYTES) + 4096))
  }

  private ended(): void {
    const lines = this.lines!
    lines.byte(10)
    if (lines.length >= this.options.flushMinBytes) this.flush()
    else if (this.timer === undefined) {
      const timer = this.options.timers.setTimeout(this.onTimer, this.options.flushIntervalMs)
      // The interval must not keep a process alive that has nothing else to do (exit flushes anyway).
      ;(timer as { unref?: () => void } | undefined)?.unref?.()
      this.timer = timer
    }
  }
}
