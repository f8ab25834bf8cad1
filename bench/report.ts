// Turns the wrk samples into one markdown table: medians per peer and load, and per-round ratios
// to nginx and to direct (the median of ratios measured side by side, because the box is noisy).

import type { WrkResult } from './wrk.ts'

export type LoadName = 'small' | 'big'

export interface Sample {
  readonly round: number
  readonly peer: string
  readonly load: LoadName
  readonly result: WrkResult
  /** Resident memory of the proxy's processes right after this load, when it has any. */
  readonly rssKiB?: number
  /** The same without file-backed pages (RssAnon). */
  readonly anonKiB?: number
  /** CPU time the proxy's processes spent during the run, per completed request. */
  readonly cpuUsPerRequest?: number
  /** Cores other processes (not the bench's) used on average during the run (others-cpu.ts). */
  readonly othersCores?: number
}

export interface Row {
  readonly peer: string
  readonly load: LoadName
  readonly requestsPerS: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly mibPerS: number
  readonly rssMiB?: number
  readonly anonMiB?: number
  readonly cpuUsPerRequest?: number
  readonly rpsVsNginx?: number
  readonly rpsVsPassthrough?: number
  readonly rpsVsDirect?: number
  readonly p99VsNginx?: number
}

export interface Check {
  readonly ok: boolean
  readonly what: string
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function summarize(samples: readonly Sample[], peers: readonly string[], loads: readonly LoadName[]): Row[] {
  const rows: Row[] = []
  for (const load of loads) {
    for (const peer of peers) {
      const mine = samples.filter((s) => s.peer === peer && s.load === load)
      if (mine.length === 0) continue
      const rss = mine.map((s) => s.rssKiB).filter((v): v is number => v !== undefined)
      const anon = mine.map((s) => s.anonKiB).filter((v): v is number => v !== undefined)
      const cpu = mine.map((s) => s.cpuUsPerRequest).filter((v): v is number => v !== undefined)
      rows.push({
        peer,
        load,
        requestsPerS: median(mine.map((s) => s.result.requestsPerS)),
        p50Ms: median(mine.map((s) => s.result.p50Ms)),
        p99Ms: median(mine.map((s) => s.result.p99Ms)),
        mibPerS: median(mine.map((s) => s.result.mibPerS)),
        rssMiB: rss.length > 0 ? Math.max(...rss) / 1024 : undefined,
        anonMiB: anon.length > 0 ? Math.max(...anon) / 1024 : undefined,
        cpuUsPerRequest: cpu.length > 0 ? median(cpu) : undefined,
        rpsVsNginx: ratio(samples, mine, 'nginx', (r) => r.requestsPerS),
        rpsVsPassthrough: ratio(samples, mine, 'bun-passthrough', (r) => r.requestsPerS),
        rpsVsDirect: ratio(samples, mine, 'direct', (r) => r.requestsPerS),
        p99VsNginx: ratio(samples, mine, 'nginx', (r) => r.p99Ms),
      })
    }
  }
  return rows
}

export function ratio(all: readonly Sample[], mine: readonly Sample[], reference: string, metric: (r: WrkResult) => number): number | undefined {
  const perRound = perRoundRatios(all, mine, reference, metric)
  return perRound.length > 0 ? median(perRound) : undefined
}

/** This peer's metric over the reference's in each round both ran, in round order. */
export function perRoundRatios(all: readonly Sample[], mine: readonly Sample[], reference: string, metric: (r: WrkResult) => number): number[] {
  const perRound: number[] = []
  for (const sample of mine) {
    const ref = all.find((s) => s.peer === reference && s.load === sample.load && s.round === sample.round)
    if (ref && metric(ref.result) > 0) perRound.push(metric(sample.result) / metric(ref.result))
  }
  return perRound
}

export function renderMarkdown(rows: readonly Row[], checks: readonly Check[], notes: readonly string[], extra: readonly string[] = []): string {
  const header = '| peer | load | req/s | p50 ms | p99 ms | MiB/s | RSS MiB | anon MiB | CPU µs/req | req/s ÷ nginx | req/s ÷ bun-passthrough | req/s ÷ direct | p99 ÷ nginx |'
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'
  const lines = rows.map((r) =>
    [r.peer, r.load, fixed(r.requestsPerS, 0), fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), fixed(r.mibPerS, 1), fixed(r.rssMiB, 1), fixed(r.anonMiB, 1), fixed(r.cpuUsPerRequest, 1),
      fixed(r.rpsVsNginx, 2), fixed(r.rpsVsPassthrough, 2), fixed(r.rpsVsDirect, 2), fixed(r.p99VsNginx, 2)].join(' | '),
  )
  const failed = checks.filter((c) => !c.ok)
  return [
    '# edgeway bench',
    '',
    header,
    rule,
    ...lines.map((l) => `| ${l} |`),
    '',
    ...extra,
    `## Checks: ${checks.length - failed.length} passed, ${failed.length} failed`,
    '',
    ...checks.map((c) => `- ${c.ok ? 'ok' : '**FAILED**'}: ${c.what}`),
    '',
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n')
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits)
}
