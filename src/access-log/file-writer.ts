// Envoy's file access logger: lines appended to a file. The batched writer calls this once per
// tick with every line of that tick, so one synchronous append per tick (ordered, nothing held in
// a stream buffer to lose at exit) costs what the stdout write costs. O_APPEND keeps the lines of
// several worker processes whole in one file.

import { openSync, writeSync } from 'node:fs'

export function fileWriter(path: string, log: (line: string) => void): (chunk: string) => void {
  let fd: number | undefined
  let failed = false
  const fail = (error: unknown) => {
    failed = true
    log(`edgeway: access log "${path}": ${(error as Error).message}: its lines are dropped from now on`)
  }
  return (chunk) => {
    if (failed) return
    try {
      fd ??= openSync(path, 'a')
      writeSync(fd, chunk)
    } catch (error) {
      fail(error)
    }
  }
}
