import { expect, test } from 'bun:test'
import { stopProcess } from './stop-process.ts'

/** A pretend process that exits on the signals it obeys. */
function fake(obeys: 'SIGTERM' | 'SIGKILL') {
  const signals: string[] = []
  let exit!: () => void
  const exited = new Promise<void>((resolve) => (exit = resolve))
  return {
    signals,
    exited,
    kill(signal: 'SIGTERM' | 'SIGKILL') {
      signals.push(signal)
      if (signal === obeys || signal === 'SIGKILL') exit()
    },
  }
}

test('a process that obeys SIGTERM gets nothing else', async () => {
  const p = fake('SIGTERM')
  let forced = false
  await stopProcess(p, 50, () => (forced = true))
  await new Promise((resolve) => setTimeout(resolve, 80))
  expect([p.signals, forced]).toEqual([['SIGTERM'], false])
})

test('a process that ignores SIGTERM is killed after the grace period, and the caller hears of it', async () => {
  const p = fake('SIGKILL')
  let forced = false
  const started = performance.now()
  await stopProcess(p, 30, () => (forced = true))
  expect([p.signals, forced]).toEqual([['SIGTERM', 'SIGKILL'], true])
  expect(performance.now() - started).toBeGreaterThanOrEqual(25)
})
