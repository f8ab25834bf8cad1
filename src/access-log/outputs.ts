// The process's access-log destinations, one LineBuffer each: stdout (the default), stderr, and
// every file a listener appends to. They outlive config generations (a reload reopens nothing and
// a line appended before it stays ahead of the lines after it), and every way out flushes them:
// drain, stop, and the process's exit.

import type { RequestInfo } from '../proxy/request-info.ts'
import type { FormatPlan } from './format-plan.ts'
import { LineBuffer, type LineBufferOptions } from './line-buffer.ts'

export type AccessLogSink = {
  readonly write: (chunk: string) => void
  /** The same chunk as UTF-8, taken before it returns (FdSink): the buffer's array is reused. */
  readonly writeBytes?: (bytes: Uint8Array) => void
  /** Waits for what the sink itself still holds (a full pipe); exit only. */
  readonly drain?: () => void
}

export type AccessLogOutputDeps = LineBufferOptions & {
  readonly stdout: AccessLogSink
  readonly stderr: AccessLogSink
  /** A file's sink, made when a listener first names the path. */
  readonly file: (path: string) => AccessLogSink
}

export class AccessLogOutputs {
  private readonly outputs = new Map<string, { readonly buffer: LineBuffer; readonly sink: AccessLogSink }>()

  constructor(private readonly deps: AccessLogOutputDeps) {}

  /** A listener's access log: its format's lines into the buffer of its `path` (undefined = stdout). */
  loggerFor(path: string | undefined, plan: Pick<FormatPlan, 'format' | 'write'>): (info: RequestInfo) => void {
    const buffer = this.bufferFor(path)
    const { format, write } = plan
    // A plan that writes bytes itself (the default text format) makes no line string.
    return write ? (info) => buffer.appendWith(write, info) : (info) => buffer.append(format(info))
  }

  private bufferFor(path: string | undefined): LineBuffer {
    const key = path === undefined || path === '/dev/stdout' ? '/dev/stdout' : path
    let output = this.outputs.get(key)
    if (!output) {
      const sink = key === '/dev/stdout' ? this.deps.stdout : key === '/dev/stderr' ? this.deps.stderr : this.deps.file(key)
      output = { buffer: new LineBuffer(sink.write, this.deps, sink.writeBytes), sink }
      this.outputs.set(key, output)
    }
    return output.buffer
  }

  /** Hands every buffered line to its sink now. */
  flush(): void {
    for (const { buffer } of this.outputs.values()) buffer.flush()
  }

  /** At exit: flush, then wait for the sinks to take it (a pipe whose reader is behind). */
  flushAndDrain(): void {
    this.flush()
    for (const { sink } of this.outputs.values()) sink.drain?.()
  }
}
