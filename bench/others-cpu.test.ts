import { describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { markCpu, othersCores, renderOthers } from './others-cpu.ts'

describe('othersCores', () => {
  test("the box's busy time minus the bench's, per wall second, never below 0", () => {
    const before = { boxBusyUs: 0, benchUs: 0, atMs: 0 }
    expect(othersCores(before, { boxBusyUs: 3_000_000, benchUs: 1_000_000, atMs: 2_000 })).toBe(1)
    expect(othersCores(before, { boxBusyUs: 1_000_000, benchUs: 1_100_000, atMs: 1_000 })).toBe(0)
    expect(othersCores(before, { boxBusyUs: 1, benchUs: 0, atMs: 0 })).toBe(0)
  })

  test("a process the bench started counts as the bench's, even once reaped; one it did not start does not", async () => {
    // Busy until it has used 0.5 s of CPU, however loaded the box is.
    const busy = 'for (let u = process.cpuUsage(); u.user + u.system < 500000; u = process.cpuUsage()) {}'
    const own = markCpu()
    await new Promise((done) => spawn(process.execPath, ['-e', busy], { stdio: 'ignore' }).once('exit', done))
    const afterOwn = markCpu()
    expect(afterOwn.benchUs - own.benchUs).toBeGreaterThan(450_000)

    // Orphaned at once (its shell exits), as another session's process would be.
    const stranger = markCpu()
    const shell = Bun.spawn(['sh', '-c', `"${process.execPath}" -e '${busy}' >/dev/null 2>&1 & echo $!`], { stdout: 'pipe' })
    const pid = Number((await new Response(shell.stdout).text()).trim())
    await shell.exited
    while (await Bun.file(`/proc/${pid}/stat`).exists()) await Bun.sleep(50)
    const afterStranger = markCpu()
    expect(afterStranger.benchUs - stranger.benchUs).toBeLessThan(200_000)
    expect(afterStranger.boxBusyUs - stranger.boxBusyUs - (afterStranger.benchUs - stranger.benchUs)).toBeGreaterThan(450_000)
  }, 60_000)
})

test('the report names the contended runs', () => {
  const lines = renderOthers([
    { round: 0, peer: 'nginx', load: 'small', othersCores: 0.02 },
    { round: 1, peer: 'edgeway-bun', load: 'big', othersCores: 0.61 },
    { round: 1, peer: 'nginx', load: 'big', othersCores: 0.05 },
  ])
  expect(lines.join('\n')).toContain('median 0.05 cores, highest 0.61 (round 2, edgeway-bun big); 1 of 3 runs above 0.15 cores: round 2 edgeway-bun big 0.61')
  expect(renderOthers([{ round: 0, peer: 'nginx', load: 'small' }])).toEqual([])
})
