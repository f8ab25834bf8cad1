// How much of the box other processes used while a run was measured: the whole box's busy time
// (/proc/stat) minus the bench's own (this process, the wrk runs it has reaped, and every process
// it started: peers, upstream, collector). On a shared 2-core machine a round where others took a
// core is not comparable with one where they took none; the report flags such runs instead of
// leaving a reader to guess from the ratios.

import { readFileSync } from 'node:fs'
import { parseCpuLine } from './run-queue.ts'
import { treeCpuUs } from './processes.ts'

const USER_HZ = 100

export type CpuMark = { readonly boxBusyUs: number; readonly benchUs: number; readonly atMs: number }

/** The box's and the bench's CPU time now. */
export function markCpu(): CpuMark {
  const box = parseCpuLine(readFileSync('/proc/stat', 'utf8'))
  return { boxBusyUs: (box.busy * 1_000_000) / USER_HZ, benchUs: treeCpuUs(process.pid) + reapedChildrenUs(), atMs: performance.now() }
}

/** Cores other processes used on average between two marks (never below 0: the counters tick at different moments). */
export function othersCores(before: CpuMark, after: CpuMark): number {
  const wallUs = (after.atMs - before.atMs) * 1000
  if (wallUs <= 0) return 0
  return Math.max(0, (after.boxBusyUs - before.boxBusyUs - (after.benchUs - before.benchUs)) / wallUs)
}

/** cutime + cstime of this process: the CPU of children it has waited for (each wrk run). */
function reapedChildrenUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[13]) + Number(fields[14])) * 1_000_000) / USER_HZ
}

/** Runs where others used more than this many cores are listed in the report. */
export const CONTENDED_CORES = 0.15

/** The report's line on contention: median and highest, and which runs were contended. */
export function renderOthers(samples: readonly { round: number; peer: string; load: string; othersCores?: number }[]): string[] {
  const measured = samples.filter((s): s is typeof s & { othersCores: number } => s.othersCores !== undefined)
  if (measured.length === 0) return []
  const sorted = [...measured].sort((a, b) => a.othersCores - b.othersCores)
  const median = sorted[Math.floor(sorted.length / 2)]!.othersCores
  const top = sorted[sorted.length - 1]!
  const contended = measured.filter((s) => s.othersCores > CONTENDED_CORES)
  return [
    '',
    `Other processes' CPU while runs were measured (the box's busy time minus the bench's own): median ${median.toFixed(2)} cores, highest ${top.othersCores.toFixed(2)} (round ${top.round + 1}, ${top.peer} ${top.load}); ` +
      (contended.length === 0
        ? `no run above ${CONTENDED_CORES} cores.`
        : `${contended.length} of ${measured.length} runs above ${CONTENDED_CORES} cores: ${contended.map((s) => `round ${s.round + 1} ${s.peer} ${s.load} ${s.othersCores.toFixed(2)}`).join(', ')}; read their ratios with that in mind.`),
  ]
}
