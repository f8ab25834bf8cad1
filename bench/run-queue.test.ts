import { describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { between, parseCpuLine, parseSchedstat, parseTargets, report, snapshot } from './run-queue.ts'

describe('run-queue: parsing', () => {
  test('schedstat: ns on a core, ns runnable and waiting', () => {
    expect(parseSchedstat('866775 102762 2\n')).toEqual({ runNs: 866775, waitNs: 102762 })
  })

  test('/proc/stat: busy leaves out idle and iowait', () => {
    const stat = 'cpu  100 5 20 1000 30 1 2 3 0 0\ncpu0 50 2 10 500 15 0 1 1 0 0\n'
    expect(parseCpuLine(stat)).toEqual({ busy: 131, total: 1161 })
  })

  test('targets are name=pid', () => {
    expect([...parseTargets(['proxy=12', 'wrk=34'])]).toEqual([['proxy', 12], ['wrk', 34]])
    expect(() => parseTargets(['12'])).toThrow('expected name=pid')
  })
})

describe.skipIf(!existsSync('/proc/self/task'))('run-queue: real processes', () => {
  test('a busy process is on a core or in the run queue; a sleeping one is asleep', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end) {}'], { stdio: 'ignore' })
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'ignore' })
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)) // both started, past their startup work
      const targets = new Map([['busy', busy.pid!], ['idle', idle.pid!]])
      const a = snapshot(targets)
      await new Promise((resolve) => setTimeout(resolve, 600))
      const b = snapshot(targets)
      const interval = between(a, b, 2)
      const [busyShare, idleShare] = interval.processes
      const spinner = busyShare!.threads[0]!
      expect(spinner.run + spinner.wait).toBeGreaterThan(0.8)
      expect(idleShare!.threads[0]!.run).toBeLessThan(0.1)
      expect(interval.boxBusy).toBeGreaterThan(0)
      const text = report(interval, [interval])
      expect(text).toContain('busy: ')
      expect(text).toMatch(/idle: .*\n  busiest thread .*asleep (9\d|100) %/)
    } finally {
      busy.kill()
      idle.kill()
    }
  })
})
