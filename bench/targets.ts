// Issue 14's targets, each a ratio from the same run: edgeway against the Bun pass-through, Hono's
// proxy() and nginx without buffering. Printed under the table as met / not met with the figure,
// so a run says where each target stands instead of leaving the arithmetic to the reader.

import { median, perRoundRatios, type Row, type Sample } from './report.ts'
import type { WrkResult } from './wrk.ts'

type Target = {
  readonly what: string
  readonly value: number | undefined
  readonly goal: number
  readonly atMost?: boolean
  /** The lowest and highest per-round ratio: how far one round could have moved the verdict. */
  readonly range?: readonly [number, number]
  /** Not one of the targets: printed beside them to explain one, without a verdict. */
  readonly informational?: boolean
}
type Measured = Pick<Target, 'value' | 'range'>

const rps = (r: WrkResult) => r.requestsPerS
const p99 = (r: WrkResult) => r.p99Ms

function versus(samples: readonly Sample[], peer: string, load: 'small' | 'big', reference: string, metric = rps): Measured {
  const perRound = perRoundRatios(samples, samples.filter((s) => s.peer === peer && s.load === load), reference, metric)
  if (perRound.length === 0) return { value: undefined }
  return { value: median(perRound), range: [Math.min(...perRound), Math.max(...perRound)] }
}

export function targets(samples: readonly Sample[], rows: readonly Row[]): Target[] {
  const rowOf = (peer: string) => rows.find((r) => r.peer === peer && r.load === 'small')
  const rssPass = rowOf('bun-passthrough')?.rssMiB
  const rssEdge = rowOf('edgeway-bun')?.rssMiB
  const anonPass = rowOf('bun-passthrough')?.anonMiB
  const anonEdge = rowOf('edgeway-bun')?.anonMiB
  return [
    { what: 'edgeway-bun small ÷ bun-passthrough', ...versus(samples, 'edgeway-bun', 'small', 'bun-passthrough'), goal: 0.85 },
    { what: 'edgeway-bun small ÷ hono-proxy-bun', ...versus(samples, 'edgeway-bun', 'small', 'hono-proxy-bun'), goal: 1.3 },
    { what: 'access log on: edgeway-bun-logged ÷ edgeway-bun (cost ≤ 5 %)', ...versus(samples, 'edgeway-bun-logged', 'small', 'edgeway-bun'), goal: 0.95 },
    { what: 'edgeway-bun-traced small ÷ bun-passthrough', ...versus(samples, 'edgeway-bun-traced', 'small', 'bun-passthrough'), goal: 0.75 },
    { what: 'edgeway-bun-traced big ÷ edgeway-bun big', ...versus(samples, 'edgeway-bun-traced', 'big', 'edgeway-bun'), goal: 0.95 },
    { what: 'edgeway-bun p99 ÷ bun-passthrough p99 (small)', ...versus(samples, 'edgeway-bun', 'small', 'bun-passthrough', p99), goal: 1.3, atMost: true },
    { what: 'edgeway-bun RSS − bun-passthrough RSS, MiB', value: rssEdge !== undefined && rssPass !== undefined ? rssEdge - rssPass : undefined, goal: 12, atMost: true },
    {
      what: 'the same without file-backed pages (RssAnon): what is left once the code pages of bun.exe that edgeway touches and the pass-through does not are taken out',
      value: anonEdge !== undefined && anonPass !== undefined ? anonEdge - anonPass : undefined,
      goal: 12,
      atMost: true,
      informational: true,
    },
    { what: 'edgeway-bun big ÷ bun-passthrough big', ...versus(samples, 'edgeway-bun', 'big', 'bun-passthrough'), goal: 1.0 },
    { what: 'edgeway-bun big ÷ nginx big (proxy_buffering off)', ...versus(samples, 'edgeway-bun', 'big', 'nginx'), goal: 0.9 },
    { what: 'edgeway-deno-traced small ÷ hono-proxy-deno', ...versus(samples, 'edgeway-deno-traced', 'small', 'hono-proxy-deno'), goal: 1.5 },
  ]
}

export function renderTargets(list: readonly Target[]): string[] {
  const lines = ['## Targets (issue 14), from this run', '', '| target | goal | measured (median of rounds) | rounds, lowest–highest | |', '|---|--:|--:|--:|---|']
  for (const t of list) {
    const met = t.value === undefined ? 'peer not run' : t.informational ? 'for information' : (t.atMost ? t.value <= t.goal : t.value >= t.goal) ? 'met' : 'not met'
    const range = t.range === undefined ? '—' : `${t.range[0].toFixed(2)}–${t.range[1].toFixed(2)}`
    lines.push(`| ${t.what} | ${t.atMost ? '≤' : '≥'} ${t.goal} | ${t.value === undefined ? '—' : t.value.toFixed(2)} | ${range} | ${met} |`)
  }
  return [...lines, '']
}

export { median }
