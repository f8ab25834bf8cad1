// The access-log destinations an in-process edgeway gets when its host passes none (tests, the
// micro-benches): stdout and stderr through the host's own writers, files appended to by FdSink,
// with the shipped flush interval and size. The CLI (main.ts) writes stdout and stderr by FdSink too.

import { FdSink, systemTimers } from '../log/fd-sink.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FLUSH_MIN_BYTES } from './line-buffer.ts'
import { AccessLogOutputs } from './outputs.ts'

export type DefaultOutputDeps = {
  readonly write: (chunk: string) => void
  readonly writeStderr?: (chunk: string) => void
  /** Where a sink says it gives up. */
  readonly log: (line: string) => void
  readonly flushIntervalMs?: number
  readonly flushMinBytes?: number
}

export function defaultAccessLogOutputs(deps: DefaultOutputDeps): AccessLogOutputs {
  return new AccessLogOutputs({
    flushIntervalMs: deps.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    flushMinBytes: deps.flushMinBytes ?? DEFAULT_FLUSH_MIN_BYTES,
    timers: systemTimers,
    stdout: { write: deps.write },
    stderr: { write: deps.writeStderr ?? deps.write },
    file: (path) => new FdSink(path, { log: deps.log, timers: systemTimers }),
  })
}
