// Keeps N worker processes running: starts worker 0 first (it resolves port 0 for the others),
// then the rest; restarts one that dies with backoff; stops all with SIGTERM, then SIGKILL.

import type { WorkerExit, WorkerProcess } from '../adapter/worker-process.ts'
import type { WorkerRow, WorkerState } from '../admin/server-info.ts'
import type { Config } from '../config/model.ts'
import { workerEnv, type ControlMessage } from './protocol.ts'

export type SupervisorOptions = {
  readonly count: number
  readonly controlUrl: string
  readonly token: string
  /** Handed to every worker so it starts from the config the primary validated. */
  readonly config?: Config
  readonly spawn: (env: Record<string, string>) => WorkerProcess
  readonly log: (line: string) => void
  /** Called each time a worker reports live (the primary re-applies a drain to it). */
  readonly onLive?: (worker: { index: number; adminPort: number }) => void
  /** First restart delay; doubles per quick death up to maxBackoffMs. */
  readonly backoffMs?: number
  readonly maxBackoffMs?: number
  /** A worker live this long before dying counts as healthy: its next restart is immediate again. */
  readonly stableMs?: number
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly message: string }

type Slot = {
  readonly index: number
  process: WorkerProcess | undefined
  state: WorkerState
  restarts: number
  quickDeaths: number
  liveSince: number
  adminPort: number | undefined
  settle: ((outcome: Outcome) => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

export class Supervisor {
  readonly #options: SupervisorOptions
  readonly #slots: Slot[]
  /** Listener ports as worker 0 bound them; every later worker binds these. */
  #ports: Record<string, number> = {}
  #restarting = false
  #config: Config | undefined
  #stopping = false

  constructor(options: SupervisorOptions) {
    this.#options = options
    this.#config = options.config
    this.#slots = Array.from({ length: options.count }, (_, index) => ({
      index,
      process: undefined,
      state: 'starting',
      restarts: 0,
      quickDeaths: 0,
      liveSince: 0,
      adminPort: undefined,
      settle: undefined,
      timer: undefined,
    }))
  }

  /** Resolves with the first failure's message, or undefined once every worker is live. */
  async start(): Promise<string | undefined> {
    const first = await this.#launch(this.#slots[0]!)
    if (!first.ok) return first.message
    const rest = await Promise.all(this.#slots.slice(1).map((slot) => this.#launch(slot)))
    const failed = rest.find((outcome) => !outcome.ok)
    if (failed && !failed.ok) return failed.message
    this.#restarting = true
    return undefined
  }

  /** A reloaded config: what workers started from now on (restarts) begin with. */
  setConfig(config: Config): void {
    this.#config = config
  }

  get ports(): Readonly<Record<string, number>> {
    return this.#ports
  }

  onControl(message: ControlMessage): void {
    const slot = this.#slots[message.index]
    if (!slot || slot.process?.pid !== message.pid) return
    if (message.type === 'failed') {
      slot.settle?.({ ok: false, message: message.message })
      slot.settle = undefined
      return
    }
    if (message.index === 0) this.#ports = { ...this.#ports, ...message.ports }
    slot.state = 'live'
    slot.liveSince = Date.now()
    slot.adminPort = message.adminPort
    slot.settle?.({ ok: true })
    slot.settle = undefined
    this.#options.onLive?.({ index: slot.index, adminPort: message.adminPort })
  }

  rows(): WorkerRow[] {
    return this.#slots.map((slot) => ({ index: slot.index, pid: slot.process?.pid ?? 0, state: slot.state, restarts: slot.restarts }))
  }

  /** Private admin ports of the live workers, by index. */
  live(): { index: number; pid: number; adminPort: number }[] {
    return this.#slots.flatMap((slot) =>
      slot.state === 'live' && slot.adminPort !== undefined && slot.process ? [{ index: slot.index, pid: slot.process.pid, adminPort: slot.adminPort }] : [],
    )
  }

  /** SIGTERM to every worker, SIGKILL to those still running after `graceMs`; resolves when all exited. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true
    const running: Promise<WorkerExit>[] = []
    for (const slot of this.#slots) {
      clearTimeout(slot.timer)
      if (slot.process && slot.state !== 'dead') {
        slot.process.kill('SIGTERM')
        running.push(slot.process.exited)
      }
    }
    const all = Promise.all(running)
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)))
    if ((await Promise.race([all, late])) === 'late') {
      for (const slot of this.#slots) if (slot.state !== 'dead') slot.process?.kill('SIGKILL')
      await all
    }
    clearTimeout(timer)
  }

  #launch(slot: Slot): Promise<Outcome> {
    const env = workerEnv({ index: slot.index, controlUrl: this.#options.controlUrl, token: this.#options.token, ports: this.#ports, config: this.#config })
    const child = this.#options.spawn(env)
    slot.process = child
    slot.adminPort = undefined
    const outcome = new Promise<Outcome>((resolve) => (slot.settle = resolve))
    void child.exited.then((exit) => this.#exited(slot, child, exit))
    return outcome
  }

  #exited(slot: Slot, child: WorkerProcess, exit: WorkerExit): void {
    if (slot.process !== child) return
    const how = `code ${exit.code}${exit.signal ? ` (${exit.signal})` : ''}`
    slot.settle?.({ ok: false, message: `worker ${slot.index} (pid ${child.pid}) exited with ${how} before it was live` })
    slot.settle = undefined
    if (this.#stopping || !this.#restarting) {
      slot.state = 'dead'
      return
    }
    const { backoffMs = 250, maxBackoffMs = 30_000, stableMs = 10_000 } = this.#options
    if (slot.state === 'live' && Date.now() - slot.liveSince >= stableMs) slot.quickDeaths = 0
    const delay = Math.min(maxBackoffMs, backoffMs * 2 ** slot.quickDeaths)
    slot.quickDeaths++
    slot.state = 'restarting'
    this.#options.log(`edgeway: worker ${slot.index} (pid ${child.pid}) exited with ${how}; restarting in ${delay} ms`)
    slot.timer = setTimeout(() => {
      if (this.#stopping) return
      slot.restarts++
      void this.#launch(slot)
    }, delay)
  }
}
