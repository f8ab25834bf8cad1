import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from './free-port.ts'
import { Processes, treeRssKiB } from './processes.ts'

describe('Processes', () => {
  test('counts the RSS of a process tree and stops it by PID, even one that ignores SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'))
    const processes = new Processes()
    try {
      // the shell ignores TERM and has a child: stop must escalate to SIGKILL
      const started = processes.start('stubborn', 'sh', ['-c', "trap '' TERM; sleep 30 & wait"], { logFile: join(dir, 'log') })
      await new Promise((r) => setTimeout(r, 200))
      expect(started.alive()).toBe(true)
      const sleeper = Number(readFileSync(`/proc/${started.pid}/task/${started.pid}/children`, 'utf8').trim())
      expect(sleeper).toBeGreaterThan(0)
      expect(treeRssKiB(started.pid)).toBeGreaterThan(0)
      // the shell's and sleep's own pages, without their binaries' file-backed ones
      const anon = treeRssKiB(started.pid, 'RssAnon')
      expect(anon).toBeGreaterThan(0)
      expect(anon).toBeLessThan(treeRssKiB(started.pid))
      await processes.stop(started)
      expect(started.alive()).toBe(false)
      expect(treeRssKiB(started.pid)).toBe(0)
      await new Promise((r) => setTimeout(r, 100))
      expect(gone(sleeper)).toBe(true)
    } finally {
      await processes.stopAll()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 15_000)

  test('waitForPort fails fast when nothing listens and the process is gone', async () => {
    const port = await freePort()
    expect(port).toBeGreaterThan(0)
    await expect(waitForPort(port, 2_000, () => false)).rejects.toThrow('exited')
    await expect(waitForPort(port, 300, () => true)).rejects.toThrow('nothing listening')
  })
})

/** Gone, or a zombie waiting for a reaper (a container's PID 1 may never reap it). */
function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
}
