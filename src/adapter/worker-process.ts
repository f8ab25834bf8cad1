// Starts a worker: the same runtime, entry point and arguments as this process, plus env. The
// command line is the runtime-specific part (Deno's permission and unstable flags must carry over).

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import process from 'node:process'

declare const Deno: {
  mainModule: string
  permissions: { querySync(descriptor: { name: string }): { state: string } }
}

export type WorkerExit = { readonly code: number | null; readonly signal: string | null }

export interface WorkerProcess {
  readonly pid: number
  readonly exited: Promise<WorkerExit>
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
}

/**
 * Stdout and stderr are inherited: a worker writes its own access log lines and errors. Stdin is
 * a pipe this process never writes to: its end tells the worker that this process died.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const [command, ...args] = commandLine()
  const child = spawn(command!, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'inherit', 'inherit'] })
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', () => resolve({ code: null, signal: null }))
  })
  return {
    pid: child.pid ?? 0,
    exited,
    kill(signal) {
      try {
        child.kill(signal)
      } catch {
        // already gone
      }
    },
  }
}

function commandLine(): string[] {
  // The exact command line this process was started with keeps runtime flags (Deno's scoped
  // --allow-net=..., --unstable-net; Bun's --smol) that process.argv does not show.
  try {
    const argv = readFileSync('/proc/self/cmdline', 'utf8').split('\0')
    if (argv.at(-1) === '') argv.pop()
    if (argv.length > 1) return argv
  } catch {
    // no /proc: rebuild below
  }
  if (!('Deno' in globalThis)) return [process.execPath, ...process.argv.slice(1)]
  const granted = ['net', 'env', 'read', 'sys', 'run', 'write'].filter((name) => Deno.permissions.querySync({ name }).state === 'granted')
  return [process.execPath, 'run', ...granted.map((name) => `--allow-${name}`), '--unstable-net', Deno.mainModule, ...process.argv.slice(2)]
}
