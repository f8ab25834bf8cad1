// Issue 14's targets, each a ratio from the same run: edgeway against the Bun pass-through, Hono's
// proxy() and nginx without buffering. Printed under the table as met / not met with the figure,
// so a run says where each target stands instead of leaving the arithmetic to the reader.

import { median, ratio, type Row, type Sample } from './report.ts'
import type { WrkResult } from './wrk.ts'

type Target = { readonly what: string; readonly value: number | undefined; readonly goal: number; readonly atMost?: boolean }

const rps = (r: WrkResult) => r.requestsPerS
const p99 = (r: WrkResult) => r.p99Ms

function versus(samples: readonly Sample[], peer: string, load: 'small' | 'big', reference: string, metric = rps): number | undefined {
  const mine = samples.filter((s) => s.peer === peer && s.load === load)
  return mine.length ? ratio(samples, mine, reference, metric) : undefined
}

export function targets(samples: readonly Sample[], rows: readonly Row[]): Target[] {
  const rssOf = (peer: string) => rows.find((r) => r.peer === peer && r.load === 'small')?.rssMiB
  const loggedCost = versus(samples, 'edgeway-bun-logged', 'small', 'edgeway-bun')
  const tracedBig = versus(samples, 'edgeway-bun-traced', 'big', 'edgeway-bun')
  const rssPass = rssOf('bun-passthrough')
  const rssEdge = rssOf('edgeway-bun')
  return [
    { what: 'edgeway-bun small ÷ bun-passthrough', value: versus(samples, 'edgeway-bun', 'small', 'bun-passthrough'), goal: 0.85 },
    { what: 'edgeway-bun small ÷ hono-proxy-bun', value: versus(samples, 'edgeway-bun', 'small', 'hono-proxy-bun'), goal: 1.3 },
    { what: 'access log on: edgeway-bun-logged ÷ edgeway-bun (cost ≤ 5 %)', value: loggedCost, goal: 0.95 },
    { what: 'edgeway-bun-traced small ÷ bun-passthrough', value: versus(samples, 'edgeway-bun-traced', 'small', 'bun-passthrough'), goal: 0.75 },
    { what: 'edgeway-bun-traced big ÷ edgeway-bun big', value: tracedBig, goal: 0.95 },
    { what: 'edgeway-bun p99 ÷ bun-passthrough p99 (small)', value: versus(samples, 'edgeway-bun', 'small', 'bun-passthrough', p99), goal: 1.3, atMost: true },
    { what: 'edgeway-bun RSS − bun-passthrough RSS, MiB', value: rssEdge !== undefined && rssPass !== undefined ? rssEdge - rssPass : undefined, goal: 12, atMost: true },
    { what: 'edgeway-bun big ÷ bun-passthrough big', value: versus(samples, 'edgeway-bun', 'big', 'bun-passthrough'), goal: 1.0 },
    { what: 'edgeway-bun big ÷ nginx big (proxy_buffering off)', value: versus(samples, 'edgeway-bun', 'big', 'nginx'), goal: 0.9 },
    { what: 'edgeway-deno-traced small ÷ hono-proxy-deno', value: versus(samples, 'edgeway-deno-traced', 'small', 'hono-proxy-deno'), goal: 1.5 },
  ]
}

export function renderTargets(list: readonly Target[]): string[] {
  const lines = ['## Targets (issue 14), from this run', '', '| target | goal | measured | |', '|---|--:|--:|---|']
  for (const t of list) {
    const met = t.value === undefined ? 'peer not run' : (t.atMost ? t.value <= t.goal : t.value >= t.goal) ? 'met' : 'not met'
    lines.push(`| ${t.what} | ${t.atMost ? '≤' : '≥'} ${t.goal} | ${t.value === undefined ? '—' : t.value.toFixed(2)} | ${met} |`)
  }
  return [...lines, '']
}

export { median }
