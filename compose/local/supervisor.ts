// Runs the demo's processes like a small Compose: prefixed output, a died process reported and
// restarted with the shared backoff (src/process/) (unless it failed before it was ever ready: a config error does not heal),
// and a stop that signals every PID it started and waits for each exit.

import { spawn, type ChildProcess } from 'node:child_process'
import { RestartBackoff, type RestartPolicy } from '../../src/process/restart-backoff.ts'
import { stopProcess } from '../../src/process/stop-process.ts'
import { formatPrefix, prefixLines } from './line-prefix.ts'
import type { ProcessPlan } from './topology.ts'

export type SupervisorOptions = {
  /** The Bun binary every plan's `args` are given to. */
  readonly bun: string
  readonly cwd: string
  readonly baseEnv: Readonly<Record<string, string | undefined>>
  readonly write: (text: string) => void
  readonly colour: boolean
  readonly restart: RestartPolicy
  /** SIGTERM, then SIGKILL once this has passed. */
  readonly stopGraceMs: number
  readonly onStart?: (plan: ProcessPlan, pid: number) => void
  readonly onExit?: (plan: ProcessPlan, how: ExitReason) => void
  /** A process that exited non-zero before `markReady`: not restarted (a deterministic startup error). */
  readonly onFailed?: (plan: ProcessPlan, how: ExitReason) => void
}

export type ExitReason = { readonly code: number | null; readonly signal: string | null; readonly uptimeMs: number }

export type ProcessState = {
  readonly name: string
  readonly group: string
  readonly pid: number | undefined
  /** `failed`: it exited non-zero before it was ready and is not restarted (degraded). */
  readonly state: 'running' | 'restarting' | 'stopped' | 'failed'
  readonly restarts: number
}

type Entry = {
  plan: ProcessPlan
  child: ChildProcess | undefined
  exited: Promise<void>
  startedAt: number
  restarts: number
  readonly backoff: RestartBackoff
  timer: ReturnType<typeof setTimeout> | undefined
  removed: boolean
  /** This incarnation answered its readiness URL (the launcher says so). */
  ready: boolean
  failed: boolean
  failedHow?: string
}

export const LAUNCHER = 'launcher'

export class Supervisor {
  readonly #options: SupervisorOptions
  readonly #entries = new Map<string, Entry>()
  readonly #colours = new Map<string, number>()
  readonly #pidsSeen: number[] = []
  #stopping = false

  constructor(options: SupervisorOptions) {
    this.#options = options
  }

  /** Every PID ever started, so a caller can check none is left after stopAll. */
  get pidsSeen(): readonly number[] {
    return this.#pidsSeen
  }

  report(message: string): void {
    this.#options.write(`${formatPrefix(LAUNCHER, this.#options.colour ? 0 : undefined)} ${message}\n`)
  }

  start(plan: ProcessPlan): void {
    if (this.#stopping) return
    if (this.#entries.has(plan.name)) throw new Error(`${plan.name} is already supervised`)
    const entry: Entry = { plan, child: undefined, exited: Promise.resolve(), startedAt: 0, restarts: 0, backoff: new RestartBackoff(this.#options.restart), timer: undefined, removed: false, ready: false, failed: false }
    this.#entries.set(plan.name, entry)
    this.#spawn(entry)
  }

  /** Stops one process for good (scale down). */
  async remove(name: string): Promise<void> {
    const entry = this.#entries.get(name)
    if (!entry) return
    entry.removed = true
    clearTimeout(entry.timer)
    await this.#terminate(entry)
    this.#entries.delete(name)
  }

  /** Stops everything: no restart from here on, SIGTERM, SIGKILL after the grace period, every exit awaited. */
  async stopAll(): Promise<void> {
    this.#stopping = true
    await Promise.all([...this.#entries.values()].map((entry) => {
      clearTimeout(entry.timer)
      return this.#terminate(entry)
    }))
  }

  /** A second Ctrl-C: no more waiting for graceful exits. */
  killAll(): void {
    for (const entry of this.#entries.values()) entry.child?.kill('SIGKILL')
  }

  states(): ProcessState[] {
    return [...this.#entries.values()].map((e) => ({
      name: e.plan.name,
      group: e.plan.group,
      pid: e.child?.pid,
      state: e.child ? 'running' : e.failed ? 'failed' : e.removed || this.#stopping ? 'stopped' : 'restarting',
      restarts: e.restarts,
    }))
  }

  /** The launcher saw this process answer its readiness URL: from now on a crash is restarted. */
  markReady(name: string): void {
    const entry = this.#entries.get(name)
    if (entry?.child) entry.ready = true
  }

  /** Processes that failed before they were ever ready, with how they exited. */
  failures(): { name: string; how: string }[] {
    return [...this.#entries.values()].filter((e) => e.failed).map((e) => ({ name: e.plan.name, how: e.failedHow ?? '' }))
  }

  pidOf(name: string): number | undefined {
    return this.#entries.get(name)?.child?.pid
  }

  #colourOf(group: string): number | undefined {
    if (!this.#options.colour) return undefined
    // Index 0 is the launcher's own colour.
    if (!this.#colours.has(group)) this.#colours.set(group, this.#colours.size + 1)
    return this.#colours.get(group)
  }

  #spawn(entry: Entry): void {
    const { plan } = entry
    const child = spawn(this.#options.bun, [...plan.args], {
      cwd: this.#options.cwd,
      env: { ...this.#options.baseEnv, ...plan.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // In our process group: a terminal's Ctrl-C reaches every child too, and none outlives us by design.
      detached: false,
    })
    entry.child = child
    entry.startedAt = Date.now()
    entry.ready = false
    const prefix = formatPrefix(plan.name, this.#colourOf(plan.group))
    const out = prefixLines(prefix, this.#options.write)
    const err = prefixLines(prefix, this.#options.write)
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk))

    let settle!: () => void
    entry.exited = new Promise<void>((done) => (settle = done))
    let ended = false
    const onEnd = (code: number | null, signal: string | null, error?: Error) => {
      if (ended) return
      ended = true
      out.flush()
      err.flush()
      entry.child = undefined
      const uptimeMs = Date.now() - entry.startedAt
      if (error) this.report(`${plan.name} could not start: ${error.message}`)
      this.#options.onExit?.(plan, { code, signal, uptimeMs })
      settle()
      if (this.#stopping || entry.removed) return
      // Exit code 1 before ready is how edgeway and the sample app report a bad config or env:
      // restarting would only print the same problems every few seconds.
      if (code === 1 && !entry.ready) {
        entry.failed = true
        entry.failedHow = `exited with code 1 after ${(uptimeMs / 1000).toFixed(1)}s, before it was ready`
        this.report(`${plan.name} ${entry.failedHow} (a configuration or environment error: see its lines above); not restarting it`)
        this.#options.onFailed?.(plan, { code, signal, uptimeMs })
        return
      }
      this.#scheduleRestart(entry, code, signal, uptimeMs)
    }
    // 'close', not 'exit': it comes after the pipes drained, so a crash's last words are printed.
    child.once('close', (code, signal) => onEnd(code, signal))
    child.once('error', (error) => onEnd(null, null, error))
    if (child.pid !== undefined) {
      this.#pidsSeen.push(child.pid)
      this.#options.onStart?.(plan, child.pid)
    }
  }

  #scheduleRestart(entry: Entry, code: number | null, signal: string | null, uptimeMs: number): void {
    const delayMs = entry.backoff.next(uptimeMs)
    const how = signal ? `signal ${signal}` : `code ${code}`
    this.report(`${entry.plan.name} exited with ${how} after ${(uptimeMs / 1000).toFixed(1)}s; restarting in ${(delayMs / 1000).toFixed(1)}s`)
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      if (this.#stopping || entry.removed) return
      entry.restarts++
      this.#spawn(entry)
      this.report(`${entry.plan.name} restarted (pid ${entry.child?.pid ?? '?'}, restart #${entry.restarts})`)
    }, delayMs)
  }

  async #terminate(entry: Entry): Promise<void> {
    const child = entry.child
    if (!child) return
    await stopProcess({ kill: (signal) => child.kill(signal), exited: entry.exited }, this.#options.stopGraceMs, () =>
      this.report(`${entry.plan.name} (pid ${child.pid}) ignored SIGTERM for ${this.#options.stopGraceMs} ms: SIGKILL`),
    )
  }
}
