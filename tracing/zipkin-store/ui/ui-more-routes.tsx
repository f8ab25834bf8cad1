/** @jsxImportSource hono/jsx */
// The views beyond Lens' core: compare two traces, the live tail, and opening a trace file.

import type { Hono } from 'hono'
import { decodeSpans } from '../span-decoder.ts'
import { normaliseTraceId } from '../span-ids.ts'
import type { TraceStore } from '../storage/trace-store.ts'
import { DEFAULT_LOOKBACK_MS } from '../trace-query.ts'
import { ComparePage } from './compare-page.tsx'
import { compareTraces } from './compare-rows.ts'
import { servicePalette } from './format.ts'
import { LivePage } from './live-page.tsx'
import { TracePage } from './trace-page.tsx'
import { summariseTrace } from './trace-summary.ts'
import type { UiOptions } from './ui-routes.tsx'
import { UploadPage } from './upload-page.tsx'
import { waterfallRows } from './waterfall-rows.ts'

export function addMoreRoutes(ui: Hono, store: TraceStore, nowMs: () => number, options: UiOptions): void {
  ui.get('/compare', (c) => {
    const a = c.req.query('a')?.trim() ?? ''
    const b = c.req.query('b')?.trim() ?? ''
    const recent = store.findTraces({ annotationQuery: new Map(), endTsMs: nowMs(), lookbackMs: DEFAULT_LOOKBACK_MS, limit: 20 }).map(summariseTrace)
    const colourOf = servicePalette(store.serviceNames())
    const props = { a, b, recent, colourOf }
    if (!a || !b) return c.html(<ComparePage {...props} />)
    const load = (raw: string) => {
      const id = normaliseTraceId(raw)
      return id.ok ? store.getTrace(id.id) : undefined
    }
    const left = load(a)
    const right = load(b)
    if (!left || !right) return c.html(<ComparePage {...props} problem={`No trace ${!left ? a : b} in this store.`} />, 404)
    const sides = { a: summariseTrace(left), b: summariseTrace(right), rows: compareTraces(left, right) }
    return c.html(<ComparePage {...props} sides={sides} />)
  })

  ui.get('/live', (c) => c.html(<LivePage services={store.serviceNames()} serviceName={c.req.query('serviceName') ?? ''} />))

  ui.get('/upload', (c) => c.html(<UploadPage />))

  ui.post('/upload', async (c) => {
    const length = Number(c.req.header('content-length') ?? 0)
    if (length > options.maxBodyBytes) return c.html(<UploadPage problem={`The file is over ${options.maxBodyBytes} bytes.`} />, 413)
    const form = await c.req.parseBody()
    const file = form['file']
    const text = file instanceof File && file.size > 0 ? await file.text() : typeof form['json'] === 'string' ? form['json'] : ''
    if (text.trim() === '') return c.html(<UploadPage problem="Choose a file or paste its JSON." />, 400)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return c.html(<UploadPage problem="That is not valid JSON." />, 400)
    }
    // A list of traces (what /api/v2/traces answers) shows its first trace.
    if (Array.isArray(body) && Array.isArray(body[0])) body = body[0]
    const decoded = decodeSpans(body)
    if (!decoded.ok) return c.html(<UploadPage problem={`Not a Zipkin v2 span list: ${decoded.reason}`} />, 400)
    if (decoded.spans.length === 0) return c.html(<UploadPage problem="The file has no spans." />, 400)
    const { rows, durationUs } = waterfallRows(decoded.spans)
    const names = decoded.spans.map((s) => s.localEndpoint?.serviceName).filter((n): n is string => n !== undefined)
    return c.html(<TracePage summary={summariseTrace(decoded.spans)} rows={rows} durationUs={durationUs} colourOf={servicePalette(names)} source="upload" />)
  })
}
