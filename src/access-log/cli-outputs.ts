// The CLI's access-log destinations: the process's own stdout and stderr sinks (FdSink on
// descriptors 1 and 2, process-output.ts: a line is written before the process exits, whole when
// several workers share the pipe, and in order with the process's other lines), files appended
// to, with --file-flush-interval-msec and --file-flush-min-size-kb.

import { FdSink, systemTimers } from '../log/fd-sink.ts'
import type { ProcessOutput } from '../log/process-output.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FLUSH_MIN_BYTES } from './line-buffer.ts'
import { AccessLogOutputs } from './outputs.ts'

export type CliOutputDeps = {
  readonly output: ProcessOutput
  readonly log: (line: string) => void
  readonly flushIntervalMs?: number
  readonly flushMinBytes?: number
}

export function cliAccessLogOutputs(deps: CliOutputDeps): AccessLogOutputs {
  return new AccessLogOutputs({
    flushIntervalMs: deps.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    flushMinBytes: deps.flushMinBytes ?? DEFAULT_FLUSH_MIN_BYTES,
    timers: systemTimers,
    stdout: deps.output.stdout,
    stderr: deps.output.stderr,
    file: (path) => new FdSink(path, { log: deps.log, timers: systemTimers }),
  })
}
