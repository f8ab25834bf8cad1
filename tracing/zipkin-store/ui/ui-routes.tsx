/** @jsxImportSource hono/jsx */
// The server-rendered viewer mounted at /zipkin: search and trace list, trace waterfall,
// dependency graph (the other views are in ui-more-routes.tsx, fixed files in static-routes.ts).
// Every URL is the view's state, so any view can be shared as a link.

import { Hono } from 'hono'
import { linkDependencies } from '../dependency-links.ts'
import { normaliseTraceId } from '../span-ids.ts'
import type { TraceStore } from '../storage/trace-store.ts'
import { DependencyPage } from './dependency-page.tsx'
import { servicePalette } from './format.ts'
import { Layout } from './layout.tsx'
import { LOOKBACKS, parseSearch, utcInput, utcMs, type Sort } from './search-params.ts'
import { addStaticRoutes, securityHeaders } from './static-routes.ts'
import { TraceListPage } from './trace-list-page.tsx'
import { TracePage } from './trace-page.tsx'
import { summariseTrace, type TraceSummary } from './trace-summary.ts'
import { addMoreRoutes } from './ui-more-routes.tsx'
import { waterfallRows } from './waterfall-rows.ts'

export type UiOptions = { autocompleteKeys: readonly string[]; maxBodyBytes: number }

const BY: Record<Sort, (a: TraceSummary, b: TraceSummary) => number> = {
  newest: (a, b) => (b.startUs ?? 0) - (a.startUs ?? 0),
  longest: (a, b) => (b.durationUs ?? 0) - (a.durationUs ?? 0),
  shortest: (a, b) => (a.durationUs ?? 0) - (b.durationUs ?? 0),
}

export function buildUiRoutes(store: TraceStore, nowMs: () => number, options: UiOptions = { autocompleteKeys: [], maxBodyBytes: 16 * 1024 * 1024 }): Hono {
  const ui = new Hono()
  ui.use('*', securityHeaders)
  addStaticRoutes(ui)

  ui.get('/', (c) => {
    const traceId = c.req.query('traceId')?.trim()
    if (traceId) return c.redirect(`/zipkin/traces/${encodeURIComponent(traceId)}`)
    const { form, query, problem } = parseSearch(new URL(c.req.url).searchParams, nowMs())
    // As Lens: the API answers the newest `limit` traces; the sort orders those.
    const summaries = query ? store.findTraces(query).map(summariseTrace).sort(BY[form.sort]) : []
    const services = store.serviceNames()
    const choices = {
      services,
      spanNames: form.serviceName ? store.spanNames(form.serviceName) : [],
      remoteServices: form.serviceName ? store.remoteServiceNames(form.serviceName) : [],
      tagHints: options.autocompleteKeys.flatMap((key) => store.tagValues(key).slice(0, 20).map((value) => `${key}=${value}`)),
    }
    return c.html(<TraceListPage form={form} choices={choices} summaries={summaries} problem={problem} colourOf={servicePalette(services)} />, problem ? 400 : 200)
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
    return c.html(<TracePage summary={summariseTrace(trace)} rows={rows} durationUs={durationUs} colourOf={servicePalette(store.serviceNames())} />)
  })

  ui.get('/dependency', (c) => {
    const now = nowMs()
    const lookback = c.req.query('lookback') || '1d'
    const start = c.req.query('start') ?? ''
    const end = c.req.query('end') ?? ''
    let endTs = /^\d+$/.test(c.req.query('endTs') ?? '') ? Number(c.req.query('endTs')) : now
    let lookbackMs = LOOKBACKS.find(([key]) => key === lookback)?.[2] ?? (/^\d+$/.test(lookback) ? Number(lookback) : undefined)
    let problem: string | undefined
    if (lookback === 'custom') {
      const from = utcMs(start)
      const to = end ? utcMs(end) : now
      if (from === undefined || to === undefined || from >= to) problem = 'A custom range needs a start before its end (UTC).'
      else [endTs, lookbackMs] = [to, to - from]
    } else if (lookbackMs === undefined) {
      problem = `Unknown time range ${lookback}.`
    }
    const links = problem || lookbackMs === undefined ? [] : linkDependencies(store.tracesInWindow(endTs, lookbackMs))
    const windowText = problem || lookbackMs === undefined ? 'no window' : `${utcInput(endTs - lookbackMs).replace('T', ' ')} to ${utcInput(endTs).replace('T', ' ')} UTC`
    const page = <DependencyPage links={links} colourOf={servicePalette(store.serviceNames())} lookback={lookback} start={start} end={end} problem={problem} windowText={windowText} />
    return c.html(page, problem ? 400 : 200)
  })

  addMoreRoutes(ui, store, nowMs, options)
  return ui
}
