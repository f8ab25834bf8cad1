import { expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import type { Config } from '../config/model.ts'
import { createReloader, watchConfigFile } from './reload.ts'

function setup(files: string[], apply: (config: Config) => Promise<number> = async () => 2) {
  const stats = new StatsStore()
  const lines: string[] = []
  const applied: string[] = []
  let reads = 0
  const reload = createReloader({
    path: '/etc/edgeway.yaml',
    readTextFile: async () => files[Math.min(reads++, files.length - 1)]!,
    parse: (text) => {
      if (text.startsWith('bad')) throw new Error(`Cannot load config: 2 problems found\n  - a: wrong\n  - b: wrong`)
      return { text } as unknown as Config
    },
    apply: async (config) => (applied.push((config as unknown as { text: string }).text), apply(config)),
    stats: stats.reload(),
    log: (line) => lines.push(line),
  })
  const stat = (name: string) => stats.get(`server.config_reload.${name}`).value
  return { reload, lines, applied, stat }
}

test('an invalid file is rejected with every problem, on one log line, and nothing is applied', async () => {
  const { reload, lines, applied, stat } = setup(['bad file'])
  const outcome = await reload()
  expect(outcome).toEqual({ ok: false, problems: 'Cannot load config: 2 problems found\n  - a: wrong\n  - b: wrong' })
  expect(lines).toEqual(['edgeway: config reload rejected, the running config stays: Cannot load config: 2 problems found;   - a: wrong;   - b: wrong'])
  expect(applied).toEqual([])
  expect([stat('update_attempt'), stat('update_success'), stat('update_rejected')]).toEqual([1, 0, 1])
})

test('a valid file is applied and its version reported; an apply that throws (a port taken) is a rejection too', async () => {
  const ok = setup(['good'])
  expect(await ok.reload()).toEqual({ ok: true, version: 2 })
  expect(ok.lines).toEqual(['edgeway: config reloaded from /etc/edgeway.yaml: version 2'])
  const taken = setup(['good'], async () => {
    throw new Error('cannot listen on 127.0.0.1:80 for listener "extra": address already in use')
  })
  expect(await taken.reload()).toMatchObject({ ok: false })
  expect(taken.stat('update_rejected')).toBe(1)
})

test('reloads run one at a time, in order', async () => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const order: string[] = []
  const { reload } = setup(['one', 'two'], async () => {
    order.push('start')
    await gate
    order.push('end')
    return 2
  })
  const first = reload()
  const second = reload()
  await new Promise((resolve) => setTimeout(resolve, 5))
  expect(order).toEqual(['start'])
  release()
  await Promise.all([first, second])
  expect(order).toEqual(['start', 'end', 'start', 'end'])
})

test('the file watch compares with the text the running config was read from, so a change before its first look counts', async () => {
  const until = async (done: () => boolean) => {
    for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  let disk = { text: 'v2', mtimeMs: 2 }
  let reloads = 0
  const stop = watchConfigFile('/cds.yaml', async () => void reloads++, { stat: async () => ({ size: disk.text.length, mtimeMs: disk.mtimeMs }), readTextFile: async () => disk.text }, 5, 'v1')
  await until(() => reloads === 1)
  expect(reloads).toBe(1)
  // Without a baseline the first look is the baseline: several looks later, still nothing reloaded.
  let looks = 0
  let quietReloads = 0
  const quiet = watchConfigFile('/lds.yaml', async () => void quietReloads++, { stat: async () => (looks++, { size: 2, mtimeMs: 2 }), readTextFile: async () => 'v2' }, 5)
  await until(() => looks >= 3)
  expect(quietReloads).toBe(0)
  disk = { text: 'v3', mtimeMs: 3 }
  await until(() => reloads === 2)
  expect(reloads).toBe(2)
  stop()
  quiet()
})
