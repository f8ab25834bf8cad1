// The memory soak: traced edgeway exporting to a collector that is down, under the small-body load
// for --soak seconds, its RSS sampled every few seconds. Spans must be dropped and counted, never
// held: RSS has to stay flat (and the issue's target is ≤ 64 MiB), and every request must succeed.

import type { Check } from './report.ts'
import { sleep, treeRssKiB } from './processes.ts'
import type { RunningPeer } from './peers/peer.ts'
import { errorCount, runWrk, type WrkResult } from './wrk.ts'

export const SOAK_SAMPLE_EVERY_S = 5
export const RSS_TARGET_MIB = 64
/** Growth allowed between the first and the second half of the run before it counts as not flat. */
export const FLAT_TOLERANCE_MIB = 8

export interface SoakResult {
  readonly peer: string
  readonly durationS: number
  readonly wrk: WrkResult
  /** [seconds since the load started, RSS MiB, anonymous RSS MiB (RssAnon: without the binary's file-backed pages)] */
  readonly series: readonly (readonly [number, number, number?])[]
}

export async function runSoak(peer: string, proxy: RunningPeer, url: string, durationS: number, signal: AbortSignal): Promise<SoakResult> {
  const series: [number, number, number][] = []
  const started = Date.now()
  const load = runWrk(url, { connections: 50, durationS }, signal)
  let finished = false
  void load.finally(() => (finished = true)).catch(() => {})
  while (!finished) {
    await Promise.race([sleep(SOAK_SAMPLE_EVERY_S * 1_000), load.catch(() => {})])
    if (proxy.pid === undefined) break
    const sample: [number, number, number] = [Math.round((Date.now() - started) / 1_000), treeRssKiB(proxy.pid) / 1024, treeRssKiB(proxy.pid, 'RssAnon') / 1024]
    // The sample taken as the load ends can land on the same second as the last periodic one.
    if (series.at(-1)?.[0] === sample[0]) series.pop()
    series.push(sample)
  }
  return { peer, durationS, wrk: await load, series }
}

/** Flat = the second half's peak is within FLAT_TOLERANCE_MIB of the first half's peak. */
export function soakChecks(result: SoakResult): Check[] {
  const rss = result.series.map(([, mib]) => mib)
  const half = Math.ceil(rss.length / 2)
  const firstPeak = Math.max(...rss.slice(0, half))
  const secondPeak = Math.max(...rss.slice(half))
  const flat = rss.length >= 2 && secondPeak <= firstPeak + FLAT_TOLERANCE_MIB
  const errors = errorCount(result.wrk)
  return [
    {
      ok: errors === 0,
      what: `${result.peer} with the collector down: ${result.wrk.requests} requests in ${result.durationS}s, ${errors === 0 ? 'all 2xx, no socket errors' : `${result.wrk.non2xx} non-2xx, socket errors ${JSON.stringify(result.wrk.socketErrors)}`}`,
    },
    {
      ok: flat,
      what: `${result.peer} RSS with the collector down ${flat ? 'stays flat' : 'GROWS'}: first-half peak ${firstPeak.toFixed(1)} MiB, second-half peak ${secondPeak.toFixed(1)} MiB (tolerance ${FLAT_TOLERANCE_MIB} MiB)`,
    },
  ]
}

export function renderSoak(result: SoakResult): string {
  const peak = Math.max(...result.series.map(([, mib]) => mib))
  const anon = result.series.map(([, , mib]) => mib).filter((mib): mib is number => mib !== undefined)
  const anonPeak = anon.length > 0 ? Math.max(...anon) : undefined
  return [
    `## RSS with the collector down (${result.peer}, ${result.durationS}s small-body load)`,
    '',
    `| s | ${result.series.map(([s]) => s).join(' | ')} |`,
    `|---|${result.series.map(() => '--:').join('|')}|`,
    `| RSS MiB | ${result.series.map(([, mib]) => mib.toFixed(1)).join(' | ')} |`,
    `| anon MiB | ${result.series.map(([, , anon]) => (anon === undefined ? '—' : anon.toFixed(1))).join(' | ')} |`,
    '',
    `peak ${peak.toFixed(1)} MiB; target ≤ ${RSS_TARGET_MIB} MiB: ${peak <= RSS_TARGET_MIB ? 'met' : 'not met'}${anonPeak === undefined ? '' : ` (anonymous pages alone: peak ${anonPeak.toFixed(1)} MiB)`}; ${result.wrk.requestsPerS.toFixed(0)} req/s`,
    '',
  ].join('\n')
}
