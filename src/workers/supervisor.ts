// Keeps N worker processes running: starts worker 0 first (it resolves port 0 for the others),
// then the rest; restarts one that dies with the shared backoff (src/process/); stops all with
// SIGTERM, then SIGKILL.

import type { WorkerExit, WorkerProcess } from '../adapter/worker-process.ts'
import { RestartBackoff, type RestartPolicy } from '../process/restart-backoff.ts'
import { stopProcess } from '../process/stop-process.ts'
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
  /** How a dead worker is restarted; a worker counts as healthy from the moment it reported live. */
  readonly restart?: RestartPolicy
}

export const WORKER_RESTART: RestartPolicy = { initialDelayMs: 250, maxDelayMs: 30_000, stableAfterMs: 10_000 }

type Outcome = { readonly ok: true } | { readonly ok: false; readonly message: string }

type Slot = {
  readonly index: number
  process: WorkerProcess | undefined
  state: WorkerState
  restarts: number
  readonly backoff: RestartBackoff
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
      backoff: new RestartBackoff(options.restart ?? WORKER_RESTART),
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
    for (const slot of this.#slots) clearTimeout(slot.timer)
    await Promise.all(this.#slots.flatMap((slot) => (slot.process && slot.state !== 'dead' ? [stopProcess(slot.process, graceMs)] : [])))
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
    const delay = slot.backoff.next(slot.state === 'live' ? Date.now() - slot.liveSince : 0)
    slot.state = 'restarting'
    this.#options.log(`edgeway: worker ${slot.index} (pid ${child.pid}) exited with ${how}; restarting in ${delay} ms`)
    slot.timer = setTimeout(() => {
      if (this.#stopping) return
      slot.restarts++
      void this.#launch(slot)
    }, delay)
  }
}
