// Where a process's threads spent a load run: on a core, waiting for one (runnable but not running:
// another process had the cores) or asleep (nothing to do), from /proc/<pid>/task/*/schedstat
// (nanoseconds, unlike /stat's 10 ms ticks), and how much of the box processes outside the named
// ones used meanwhile (/proc/stat). A quick run on this shared 2-core box can show a proxy "below
// one core" with a long p99 (bench/README.md, "Deno traced under wrk"): this says whether the proxy
// stalled (asleep with requests in flight) or was crowded out (in the run queue). Linux only.
//
//   bun bench/run-queue.ts [--seconds 5] [--interval-ms 100] name=pid [name=pid ...]
//   e.g. wrk ... & bun bench/run-queue.ts --seconds 5 proxy=$PROXY_PID upstream=$UP_PID wrk=$!
//
// Per process: CPU and run-queue wait per thread as a share of the run, and for the busiest thread
// (the JS thread of Bun and Deno) also asleep; for the first one named (the process under test) the
// windows in which its busiest thread ran less than 30 %, and whether it was waiting or asleep then.
// The kernel adds a wait to schedstat when the thread gets its core, so a long wait lands in the
// window where it ends: single windows are rough, the whole run exact.

import { readFileSync, readdirSync } from 'node:fs'
import { parseArgs } from 'node:util'

export type ThreadTimes = { readonly comm: string; readonly runNs: number; readonly waitNs: number }

/** /proc/<pid>/task/<tid>/schedstat: "<ns on cpu> <ns runnable, waiting> <timeslices>". */
export function parseSchedstat(text: string): { runNs: number; waitNs: number } {
  const [run, wait] = text.trim().split(/\s+/)
  return { runNs: Number(run), waitNs: Number(wait) }
}

/** The first line of /proc/stat in clock ticks: busy = all but idle and iowait. */
export function parseCpuLine(text: string): { busy: number; total: number } {
  const fields = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total }
}

/** Every thread of `pid` now; an exited process or thread is left out. */
export function readThreads(pid: number, proc = '/proc'): Map<number, ThreadTimes> {
  const out = new Map<number, ThreadTimes>()
  let tids: string[] = []
  try {
    tids = readdirSync(`${proc}/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const comm = readFileSync(`${proc}/${pid}/task/${tid}/comm`, 'utf8').trim()
      out.set(Number(tid), { comm, ...parseSchedstat(readFileSync(`${proc}/${pid}/task/${tid}/schedstat`, 'utf8')) })
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out
}

export type Snapshot = { readonly atMs: number; readonly box: { busy: number; total: number }; readonly processes: ReadonlyMap<string, Map<number, ThreadTimes>> }

export function snapshot(targets: ReadonlyMap<string, number>, proc = '/proc'): Snapshot {
  const processes = new Map<string, Map<number, ThreadTimes>>()
  for (const [name, pid] of targets) processes.set(name, readThreads(pid, proc))
  return { atMs: performance.now(), box: parseCpuLine(readFileSync(`${proc}/stat`, 'utf8')), processes }
}

export type ThreadShare = { readonly tid: number; readonly comm: string; readonly run: number; readonly wait: number }
export type ProcessShare = { readonly name: string; readonly cpu: number; readonly threads: ThreadShare[] }
export type Interval = {
  readonly ms: number
  /** Share of one core, per process and thread (0.5 = half a core for the whole interval). */
  readonly processes: ProcessShare[]
  /** Of every core: 1 = all busy. */
  readonly boxBusy: number
  /** Cores' worth used by processes other than the named ones (box busy − theirs), 0..cores. */
  readonly others: number
}

/** What happened between two snapshots; threads that appeared in between count from zero. */
export function between(a: Snapshot, b: Snapshot, cores: number): Interval {
  const ms = b.atMs - a.atMs
  const processes: ProcessShare[] = []
  let ours = 0
  for (const [name, now] of b.processes) {
    const before = a.processes.get(name) ?? new Map<number, ThreadTimes>()
    const threads: ThreadShare[] = []
    for (const [tid, t] of now) {
      const was = before.get(tid)
      const run = (t.runNs - (was?.runNs ?? 0)) / 1e6 / ms
      const wait = (t.waitNs - (was?.waitNs ?? 0)) / 1e6 / ms
      threads.push({ tid, comm: t.comm, run, wait })
    }
    threads.sort((x, y) => y.run - x.run)
    const cpu = threads.reduce((sum, t) => sum + t.run, 0)
    ours += cpu
    processes.push({ name, cpu, threads })
  }
  const ticks = b.box.total - a.box.total
  const boxBusy = ticks > 0 ? (b.box.busy - a.box.busy) / ticks : 0
  return { ms, processes, boxBusy, others: Math.max(0, boxBusy * cores - ours) }
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`

/** The report: the whole run, then the windows in which the first process's busiest thread ran < 30 %. */
export function report(whole: Interval, windows: Interval[]): string {
  const lines = [`box busy ${pct(whole.boxBusy)} of every core; other processes used ${whole.others.toFixed(2)} cores`]
  for (const [index, p] of whole.processes.entries()) {
    const main = p.threads[0]
    lines.push(`${p.name}: ${p.cpu.toFixed(2)} cores`)
    if (main) lines.push(`  busiest thread ${main.comm} (${main.tid}): on a core ${pct(main.run)}, in the run queue ${pct(main.wait)}, asleep ${pct(Math.max(0, 1 - main.run - main.wait))}`)
    for (const t of p.threads.slice(1)) if (t.run >= 0.005) lines.push(`  ${t.comm} (${t.tid}): on a core ${pct(t.run)}, in the run queue ${pct(t.wait)}`)
    if (index > 0) continue
    const low = windows.filter((w) => (w.processes.find((q) => q.name === p.name)?.threads.find((t) => t.tid === main?.tid)?.run ?? 1) < 0.3)
    if (main && low.length > 0) {
      const ms = low.reduce((s, w) => s + w.ms, 0)
      const of = (pick: (t: ThreadShare) => number) => low.reduce((s, w) => s + pick(w.processes.find((q) => q.name === p.name)!.threads.find((t) => t.tid === main.tid)!) * w.ms, 0) / ms
      const others = low.reduce((s, w) => s + w.others * w.ms, 0) / ms
      lines.push(`  ${low.length} of ${windows.length} windows with it on a core < 30 %: in the run queue ${pct(of((t) => t.wait))}, asleep ${pct(Math.max(0, 1 - of((t) => t.run) - of((t) => t.wait)))}; other processes ${others.toFixed(2)} cores then`)
    }
  }
  return lines.join('\n')
}

/** name=pid arguments → a map, refusing anything else. */
export function parseTargets(args: readonly string[]): Map<string, number> {
  const targets = new Map<string, number>()
  for (const arg of args) {
    const match = /^([\w.-]+)=(\d+)$/.exec(arg)
    if (!match) throw new Error(`expected name=pid, got ${JSON.stringify(arg)}`)
    targets.set(match[1]!, Number(match[2]))
  }
  return targets
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seconds: { type: 'string', default: '5' }, 'interval-ms': { type: 'string', default: '100' } },
  })
  const targets = parseTargets(positionals)
  if (targets.size === 0) throw new Error('usage: bun bench/run-queue.ts [--seconds 5] [--interval-ms 100] name=pid ...')
  const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).length
  const intervalMs = Number(values['interval-ms'])
  const endAt = performance.now() + Number(values.seconds) * 1000
  const first = snapshot(targets)
  const windows: Interval[] = []
  let last = first
  while (performance.now() < endAt) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    const now = snapshot(targets)
    windows.push(between(last, now, cores))
    last = now
  }
  console.log(report(between(first, last, cores), windows))
}

if (import.meta.main) await main()
