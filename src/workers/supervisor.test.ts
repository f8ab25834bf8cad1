import { describe, expect, test } from 'bun:test'
import type { WorkerExit, WorkerProcess } from '../adapter/worker-process.ts'
import { WORKER_ENV } from './protocol.ts'
import { Supervisor } from './supervisor.ts'

/** A pretend worker process: the test decides when it exits and sees the signals it was sent. */
class FakeWorker implements WorkerProcess {
  static nextPid = 1000
  readonly pid = FakeWorker.nextPid++
  readonly signals: string[] = []
  exit!: (exit: WorkerExit) => void
  readonly exited = new Promise<WorkerExit>((resolve) => (this.exit = resolve))
  constructor(
    readonly env: Record<string, string>,
    readonly ignoreTerm = false,
  ) {}
  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal)
    if (signal === 'SIGKILL' || !this.ignoreTerm) this.exit({ code: null, signal })
  }
}

function setup(options: { count?: number; ignoreTerm?: boolean } = {}) {
  const spawned: FakeWorker[] = []
  const logs: string[] = []
  const supervisor = new Supervisor({
    count: options.count ?? 2,
    controlUrl: 'http://127.0.0.1:1/',
    token: 't',
    spawn: (env) => {
      const child = new FakeWorker(env, options.ignoreTerm)
      spawned.push(child)
      return child
    },
    log: (line) => logs.push(line),
    restart: { initialDelayMs: 10, maxDelayMs: 40, stableAfterMs: 10_000 },
  })
  const live = (child: FakeWorker, ports: Record<string, number> = {}) =>
    supervisor.onControl({ type: 'live', index: Number(child.env[WORKER_ENV.index]), pid: child.pid, adminPort: 7000 + child.pid, ports })
  return { supervisor, spawned, logs, live }
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms))

describe('Supervisor', () => {
  test('worker 0 starts alone; the others get the ports it bound', async () => {
    const { supervisor, spawned, live } = setup({ count: 3 })
    const started = supervisor.start()
    await tick()
    expect(spawned).toHaveLength(1)
    live(spawned[0]!, { ingress_http: 41000 })
    await tick()
    expect(spawned).toHaveLength(3)
    expect(JSON.parse(spawned[2]!.env[WORKER_ENV.ports]!)).toEqual({ ingress_http: 41000 })
    for (const child of spawned.slice(1)) live(child)
    expect(await started).toBeUndefined()
    expect(supervisor.rows().map((r) => r.state)).toEqual(['live', 'live', 'live'])
    expect(supervisor.live().map((w) => w.index)).toEqual([0, 1, 2])
  })

  test('a worker that reports a failure at start fails the start with its message, nothing restarts', async () => {
    const { supervisor, spawned } = setup()
    const started = supervisor.start()
    await tick()
    supervisor.onControl({ type: 'failed', index: 0, pid: spawned[0]!.pid, message: 'cannot listen on 127.0.0.1:80' })
    expect(await started).toBe('cannot listen on 127.0.0.1:80')
    spawned[0]!.exit({ code: 1, signal: null })
    await tick(30)
    expect(spawned).toHaveLength(1)
  })

  test('a worker that exits before it is live fails the start naming index, pid and code', async () => {
    const { supervisor, spawned } = setup()
    const started = supervisor.start()
    await tick()
    spawned[0]!.exit({ code: 3, signal: null })
    expect(await started).toBe(`worker 0 (pid ${spawned[0]!.pid}) exited with code 3 before it was live`)
  })

  test('a live worker that dies is logged and restarted with growing backoff; messages from its old pid are ignored', async () => {
    const { supervisor, spawned, logs, live } = setup()
    const started = supervisor.start()
    await tick()
    live(spawned[0]!)
    await tick()
    live(spawned[1]!)
    await started
    const first = spawned[1]!
    first.exit({ code: null, signal: 'SIGKILL' })
    await tick()
    expect(logs).toEqual([`edgeway: worker 1 (pid ${first.pid}) exited with code null (SIGKILL); restarting in 10 ms`])
    expect(supervisor.rows()[1]).toMatchObject({ state: 'restarting', pid: first.pid })
    await tick(30)
    expect(spawned).toHaveLength(3)
    expect(supervisor.rows()[1]).toMatchObject({ state: 'restarting', restarts: 1, pid: spawned[2]!.pid })
    live(first)
    expect(supervisor.rows()[1]!.state).toBe('restarting')
    live(spawned[2]!)
    expect(supervisor.rows()[1]!.state).toBe('live')
    spawned[2]!.exit({ code: 1, signal: null })
    await tick()
    expect(logs[1]).toContain('restarting in 20 ms')
  })

  test('stop: SIGTERM to all, SIGKILL to those still running after the grace period, no restart', async () => {
    const { supervisor, spawned, live } = setup({ ignoreTerm: true })
    const started = supervisor.start()
    await tick()
    live(spawned[0]!)
    await tick()
    live(spawned[1]!)
    await started
    await supervisor.stop(20)
    expect(spawned.map((c) => c.signals)).toEqual([
      ['SIGTERM', 'SIGKILL'],
      ['SIGTERM', 'SIGKILL'],
    ])
    await tick(30)
    expect(spawned).toHaveLength(2)
    expect(supervisor.rows().map((r) => r.state)).toEqual(['dead', 'dead'])
  })
})
