// The CLI's stdout and stderr: one FdSink per descriptor for everything the process prints, its own
// lines and the access log's (cli-outputs.ts takes these two), drained at exit whatever the way out.
// Never process.stdout / stderr: on Bun they load the node stream code, which (with node:net,
// node:url and node:fs/promises, loaded on first use instead) held ~2 MiB more after load
// (bench/README "Stop 30 — stdout13").

import { FdSink, systemTimers } from './fd-sink.ts'

export type ProcessOutput = {
  readonly stdout: FdSink
  readonly stderr: FdSink
}

export function processOutput(onExit: (listener: () => void) => void): ProcessOutput {
  // stderr has nowhere left to say it failed; stdout says so on stderr.
  const stderr = new FdSink(2, { log: () => {}, timers: systemTimers })
  const stdout = new FdSink(1, { log: (line) => stderr.write(`${line}\n`), timers: systemTimers })
  onExit(() => {
    stdout.drain()
    stderr.drain()
  })
  return { stdout, stderr }
}
