// Real child processes (tiny `bun -e` scripts): restarts with backoff, prefixed output, and a stop
// that leaves no PID behind even when a child ignores SIGTERM.

import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { Supervisor, type ExitReason, type SupervisorOptions } from './supervisor.ts'
import type { ProcessPlan } from './topology.ts'

const ROOT = join(import.meta.dir, '..', '..')

function harness(overrides: Partial<SupervisorOptions> = {}) {
  let output = ''
  const exits: { name: string; how: ExitReason }[] = []
  const starts: string[] = []
  const supervisor = new Supervisor({
    bun: process.execPath,
    cwd: ROOT,
    baseEnv: { PATH: process.env.PATH },
    write: (text) => void (output += text),
    colour: false,
    restart: { initialDelayMs: 100, maxDelayMs: 300, stableAfterMs: 10_000 },
    stopGraceMs: 300,
    onStart: (plan) => starts.push(plan.name),
    onExit: (plan, how) => exits.push({ name: plan.name, how }),
    ...overrides,
  })
  return { supervisor, output: () => output, exits, starts }
}

const script = (name: string, code: string, env: Record<string, string> = {}): ProcessPlan => ({ name, group: name, args: ['-e', code], env, readyUrl: '' })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('Supervisor', () => {
  test('a process that dies is reported and restarted with doubling delays; its output is prefixed', async () => {
    const { supervisor, output, exits, starts } = harness()
    supervisor.start(script('crasher', 'console.log("hello " + process.env.WHO); console.error("bye"); process.exit(3)', { WHO: 'world' }))
    await until(() => starts.length >= 4, 5_000)
    await supervisor.stopAll()
    expect(output()).toContain('crasher             | hello world\n')
    expect(output()).toContain('crasher             | bye\n')
    expect(exits[0]!.how).toMatchObject({ code: 3, signal: null })
    const delays = [...output().matchAll(/crasher exited with code 3 after [\d.]+s; restarting in ([\d.]+)s/g)].map((m) => m[1])
    // 100 ms, doubled, then capped at 300 ms.
    expect(delays.slice(0, 3)).toEqual(['0.1', '0.2', '0.3'])
    expect(output()).toContain('crasher restarted (pid ')
    expect(supervisor.states()).toEqual([{ name: 'crasher', group: 'crasher', pid: undefined, state: 'stopped', restarts: expect.any(Number) }])
  }, 10_000)

  test('stopAll: SIGTERM, SIGKILL for one that ignores it after the grace period, every PID gone, nothing restarted', async () => {
    const { supervisor, output, starts } = harness()
    supervisor.start(script('polite', 'setInterval(() => {}, 1000); console.log("up")'))
    supervisor.start(script('stubborn', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000); console.log("up")'))
    await until(() => (output().match(/\| up/g) ?? []).length === 2, 5_000)
    const pids = [...supervisor.pidsSeen]
    expect(pids.every(alive)).toBe(true)
    const started = Date.now()
    await supervisor.stopAll()
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(pids.filter(alive)).toEqual([])
    expect(output()).toContain('stubborn (pid ')
    expect(output()).toContain('ignored SIGTERM for 300 ms: SIGKILL')
    await new Promise((r) => setTimeout(r, 300))
    expect(starts).toEqual(['polite', 'stubborn'])
    supervisor.start(script('late', 'console.log(1)'))
    expect(starts).toEqual(['polite', 'stubborn'])
  }, 10_000)

  test('remove stops one process for good; killAll does not wait', async () => {
    const { supervisor, output } = harness({ stopGraceMs: 10_000 })
    supervisor.start(script('a', 'setInterval(() => {}, 1000); console.log("up")'))
    supervisor.start(script('b', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("up")'))
    await until(() => (output().match(/\| up/g) ?? []).length === 2, 5_000)
    const a = supervisor.pidOf('a')!
    await supervisor.remove('a')
    expect(alive(a)).toBe(false)
    expect(supervisor.states().map((s) => s.name)).toEqual(['b'])
    await new Promise((r) => setTimeout(r, 200))
    expect(output()).not.toContain('a exited')
    const b = supervisor.pidOf('b')!
    const stopping = supervisor.stopAll()
    supervisor.killAll()
    await stopping
    expect(alive(b)).toBe(false)
  }, 10_000)
})
