/** @jsxImportSource hono/jsx */
// The server-rendered viewer mounted at /zipkin: trace list, trace waterfall, dependency graph.

import { Hono } from 'hono'
import { linkDependencies } from '../dependency-links.ts'
import { normaliseTraceId } from '../span-ids.ts'
import type { TraceStore } from '../storage/trace-store.ts'
import { DEFAULT_LOOKBACK_MS, parseTraceQuery } from '../trace-query.ts'
import { servicePalette } from './format.ts'
import { DependencyPage } from './dependency-page.tsx'
import { Layout } from './layout.tsx'
import { TraceListPage } from './trace-list-page.tsx'
import { TracePage } from './trace-page.tsx'
import { summariseTrace } from './trace-summary.ts'
import { waterfallRows } from './waterfall-rows.ts'

const DEFAULT_UI_LIMIT = 50

export function buildUiRoutes(store: TraceStore, nowMs: () => number): Hono {
  const ui = new Hono()

  ui.get('/', (c) => {
    const traceId = c.req.query('traceId')?.trim()
    if (traceId) return c.redirect(`/zipkin/traces/${encodeURIComponent(traceId)}`)
    const serviceName = c.req.query('serviceName') ?? ''
    const minDurationMs = c.req.query('minDuration') ?? ''
    const limit = c.req.query('limit') || String(DEFAULT_UI_LIMIT)
    // The form speaks milliseconds; the API query speaks microseconds.
    const params = new URLSearchParams({ serviceName, limit })
    let problem: string | undefined
    if (minDurationMs !== '') {
      const ms = Number(minDurationMs)
      if (Number.isFinite(ms) && ms >= 0) params.set('minDuration', String(Math.max(1, Math.round(ms * 1000))))
      else problem = 'Min duration must be a number of milliseconds.'
    }
    const parsed = parseTraceQuery(params, nowMs())
    if (!parsed.ok) problem = parsed.reason
    const summaries = parsed.ok && !problem ? store.findTraces(parsed.query).map(summariseTrace) : []
    const filters = { serviceName, minDurationMs, limit }
    const services = store.serviceNames()
    const page = (
      <TraceListPage services={services} summaries={summaries} filters={filters} problem={problem} colourOf={servicePalette(services)} />
    )
    return c.html(page, problem ? 400 : 200)
  })

  ui.get('/traces/:traceId', (c) => {
    const raw = c.req.param('traceId')
    const id = normaliseTraceId(raw)
    const trace = id.ok ? store.getTrace(id.id) : undefined
    if (!trace) {
      const page = (
        <Layout title="Trace not found" active="trace">
          <h1>Trace not found</h1>
          <div class="notice error">
            No trace <span class="mono">{raw}</span> in this store{id.ok ? '' : ` (the id ${id.reason})`}. It may have been evicted.
          </div>
          <a href="/zipkin/">Back to traces</a>
        </Layout>
      )
      return c.html(page, id.ok ? 404 : 400)
    }
    const { rows, durationUs } = waterfallRows(trace)
    return c.html(
      <TracePage summary={summariseTrace(trace)} rows={rows} durationUs={durationUs} colourOf={servicePalette(store.serviceNames())} />,
    )
  })

  ui.get('/dependency', (c) => {
    const now = nowMs()
    const links = linkDependencies(store.tracesInWindow(now, DEFAULT_LOOKBACK_MS))
    const colourOf = servicePalette(store.serviceNames())
    return c.html(<DependencyPage links={links} lookbackHours={DEFAULT_LOOKBACK_MS / 3_600_000} colourOf={colourOf} />)
  })

  return ui
}
