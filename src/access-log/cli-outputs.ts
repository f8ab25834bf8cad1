// The CLI's access-log destinations: stdout and stderr written by FdSink on descriptors 1 and 2 (so
// a line is written before the process exits, and whole when several workers share the pipe),
// files appended to, with --file-flush-interval-msec and --file-flush-min-size-kb.

import { systemTimers } from './default-outputs.ts'
import { FdSink } from './fd-sink.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FLUSH_MIN_BYTES } from './line-buffer.ts'
import { AccessLogOutputs } from './outputs.ts'

export type CliOutputDeps = {
  readonly log: (line: string) => void
  readonly flushIntervalMs?: number
  readonly flushMinBytes?: number
}

export function cliAccessLogOutputs(deps: CliOutputDeps): AccessLogOutputs {
  const sink = (target: number | string) => new FdSink(target, { log: deps.log, timers: systemTimers })
  return new AccessLogOutputs({
    flushIntervalMs: deps.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    flushMinBytes: deps.flushMinBytes ?? DEFAULT_FLUSH_MIN_BYTES,
    timers: systemTimers,
    stdout: sink(1),
    stderr: sink(2),
    file: sink,
  })
}
