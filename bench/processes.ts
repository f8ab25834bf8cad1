// Starts the bench's processes and stops every one of them by PID (SIGTERM, then SIGKILL),
// also on errors and SIGINT; reads a process tree's resident memory from /proc.

import { spawn, type ChildProcess } from 'node:child_process'
import { pinned } from './pinning.ts'
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs'

export interface Started {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  alive(): boolean
}

interface Entry extends Started {
  readonly child: ChildProcess
  readonly exited: Promise<void>
}

const STOP_GRACE_MS = 3_000

export class Processes {
  private readonly entries: Entry[] = []

  /** `--pin`: the cores a process of this name runs on (taskset), or undefined to let the kernel choose. */
  constructor(private readonly cpusFor: (name: string) => string | undefined = () => undefined) {}

  start(name: string, command: string, args: string[], options: { logFile: string; env?: Record<string, string>; cwd?: string }): Started {
    const log = openSync(options.logFile, 'a')
    // taskset execs the command, so the pid stays the process whose RSS and CPU are read.
    const [bin, argv] = pinned(this.cpusFor(name), command, args)
    const child = spawn(bin, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', log, log],
    })
    closeSync(log)
    if (child.pid === undefined) throw new Error(`could not start ${name}: ${command}`)
    let running = true
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => { running = false; resolve() })
      child.once('error', () => { running = false; resolve() })
    })
    const entry: Entry = { name, pid: child.pid, logFile: options.logFile, child, exited, alive: () => running }
    this.entries.push(entry)
    return entry
  }

  async stop(started: Started): Promise<void> {
    const entry = this.entries.find((e) => e.pid === started.pid)
    if (!entry) return
    this.entries.splice(this.entries.indexOf(entry), 1)
    if (!entry.alive()) return
    // taken before the signal: once the parent dies its children are re-parented and lost from view
    const children = descendants(entry.pid)
    signal(entry.pid, 'SIGTERM')
    const graceful = await Promise.race([entry.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)])
    if (!graceful) {
      signal(entry.pid, 'SIGKILL')
      await Promise.race([entry.exited, sleep(STOP_GRACE_MS)])
    }
    // what outlived its parent (a worker, a shell's child) goes too, by the PIDs seen above
    for (const child of children) signal(child, 'SIGKILL')
  }

  /** Stops in reverse start order so proxies go before the upstream they hold connections to. */
  async stopAll(): Promise<void> {
    for (const entry of [...this.entries].reverse()) await this.stop(entry)
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * VmRSS of pid plus its descendants (nginx's worker, a runtime's helpers), in KiB; 0 when gone.
 * `RssAnon` leaves out file-backed pages: a runtime binary's code, shared with every process that
 * runs it, which VmRSS counts in full for each (bench/README.md, "Columns").
 */
export function treeRssKiB(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + rssKiB(p, field), 0)
}

function rssKiB(pid: number, field: 'VmRSS' | 'RssAnon'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // the command name may contain spaces and parentheses: ppid is the 2nd field after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {
      // exited while scanning
    }
  }
  const found: number[] = []
  const queue = [root]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/**
 * CPU time (user + system) of pid and its descendants so far, in µs, from /proc/<pid>/stat's
 * utime and stime (clock ticks; Linux's USER_HZ is 100). The difference across a wrk run divided
 * by its requests is the proxy's CPU cost per request: the fairest figure on a shared 2-core box.
 */
export function treeCpuUs(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + cpuUs(p), 0)
}

/** Runs `load`, then pid's CPU µs for each unit of work its result counts (undefined when it counted none). */
export async function cpuUsPer<T>(pid: number, load: () => Promise<T>, units: (result: T) => number): Promise<{ result: T; cpuUs: number | undefined }> {
  const before = treeCpuUs(pid)
  const result = await load()
  const count = units(result)
  return { result, cpuUs: count > 0 ? (treeCpuUs(pid) - before) / count : undefined }
}

const USER_HZ = 100

function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after the command name: state is field 3; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ
  } catch {
    return 0
  }
}
