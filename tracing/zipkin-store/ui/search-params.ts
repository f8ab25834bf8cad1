// The search form's query string (what the URL shares) turned into the API's trace query:
// durations in ms or with a unit, a quick-pick lookback or a custom UTC range, a sort order.

import { parseTraceQuery, type TraceQuery } from '../trace-query.ts'

export const LOOKBACKS: readonly [string, string, number][] = [
  ['5m', 'last 5 minutes', 300_000],
  ['15m', 'last 15 minutes', 900_000],
  ['1h', 'last hour', 3_600_000],
  ['6h', 'last 6 hours', 21_600_000],
  ['1d', 'last day', 86_400_000],
  ['2d', 'last 2 days', 172_800_000],
  ['7d', 'last 7 days', 604_800_000],
]

export const SORTS = ['newest', 'longest', 'shortest'] as const
export type Sort = (typeof SORTS)[number]

export type SearchForm = {
  serviceName: string
  spanName: string
  remoteServiceName: string
  annotationQuery: string
  minDuration: string
  maxDuration: string
  /** A LOOKBACKS key or 'custom'. */
  lookback: string
  /** Custom range, `YYYY-MM-DDTHH:MM` in UTC (datetime-local). */
  start: string
  end: string
  limit: string
  sort: Sort
}

export const DEFAULT_UI_LIMIT = 50

export type ParsedSearch = { form: SearchForm; query?: TraceQuery; problem?: string }

const UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000 }

/** `150` (ms), `150ms`, `1.5s`, `800us` → µs; undefined when empty; NaN when unreadable. */
export function durationUs(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === '') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?$/.exec(trimmed)
  if (!match) return Number.NaN
  return Math.max(1, Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!))
}

/** `YYYY-MM-DDTHH:MM[:SS]` as UTC → epoch ms. */
export function utcMs(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined
  const ms = Date.parse(`${text}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

export function utcInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16)
}

export function parseSearch(params: URLSearchParams, nowMs: number): ParsedSearch {
  const get = (name: string) => params.get(name)?.trim() ?? ''
  const sort = get('sort') as Sort
  const form: SearchForm = {
    serviceName: get('serviceName'),
    spanName: get('spanName'),
    remoteServiceName: get('remoteServiceName'),
    annotationQuery: get('annotationQuery'),
    minDuration: get('minDuration'),
    maxDuration: get('maxDuration'),
    lookback: get('lookback') || '1d',
    start: get('start'),
    end: get('end'),
    limit: get('limit') || String(DEFAULT_UI_LIMIT),
    sort: SORTS.includes(sort) ? sort : 'newest',
  }
  const api = new URLSearchParams({ limit: form.limit })
  for (const name of ['serviceName', 'spanName', 'remoteServiceName', 'annotationQuery'] as const) if (form[name]) api.set(name, form[name])
  const min = durationUs(form.minDuration)
  const max = durationUs(form.maxDuration)
  if (Number.isNaN(min) || Number.isNaN(max)) return { form, problem: 'Durations are numbers of milliseconds, or with a unit: 800us, 150ms, 1.5s.' }
  // The API takes maxDuration only with minDuration; "at most" alone means from 1 µs.
  if (min !== undefined || max !== undefined) api.set('minDuration', String(min ?? 1))
  if (max !== undefined) api.set('maxDuration', String(max))
  if (form.lookback === 'custom') {
    const end = form.end ? utcMs(form.end) : nowMs
    const start = form.start ? utcMs(form.start) : undefined
    if (end === undefined || start === undefined) return { form, problem: 'A custom range needs a start and an end (UTC).' }
    if (start >= end) return { form, problem: 'The start of the range must be before its end.' }
    api.set('endTs', String(end))
    api.set('lookback', String(end - start))
  } else {
    const pick = LOOKBACKS.find(([key]) => key === form.lookback)
    // A raw millisecond lookback (Lens' URLs) is accepted as well as the quick picks.
    const lookbackMs = pick?.[2] ?? (/^\d+$/.test(form.lookback) ? Number(form.lookback) : undefined)
    if (lookbackMs === undefined) return { form, problem: `Unknown time range ${form.lookback}.` }
    const endTs = get('endTs')
    api.set('endTs', /^\d+$/.test(endTs) ? endTs : String(nowMs))
    api.set('lookback', String(lookbackMs))
  }
  const parsed = parseTraceQuery(api, nowMs)
  return parsed.ok ? { form, query: parsed.query } : { form, problem: parsed.reason }
}
