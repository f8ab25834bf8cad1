// Signal and exit handling through node:process, which Bun and Deno both provide.

import process from 'node:process'

export function onProcessSignals(listener: (signal: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => listener(signal))
}

export function onHangupSignal(listener: () => void): void {
  process.on('SIGHUP', () => listener())
}

export function exitProcess(code: number): never {
  process.exit(code)
}

/** Runs synchronously as the process exits: exit(), the end of the event loop, and (on Bun) an uncaught error. */
export function onProcessExit(listener: () => void): void {
  process.on('exit', () => listener())
}
