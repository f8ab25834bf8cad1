/** @jsxImportSource hono/jsx */
// /zipkin/traces/:traceId (and an uploaded trace file): summary, toolbar (find in trace, fold
// all, JSON download, compare), the minimap and the waterfall.

import type { FC } from 'hono/jsx'
import { formatDuration, formatTimestamp } from './format.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import type { TraceSummary } from './trace-summary.ts'
import { Minimap, Waterfall } from './waterfall.tsx'
import type { WaterfallRow } from './waterfall-rows.ts'

export type TracePageProps = {
  summary: TraceSummary
  rows: WaterfallRow[]
  durationUs: number
  colourOf: ColourOf
  /** 'upload': shown from a file, not from the store (no download or compare links). */
  source?: 'store' | 'upload'
}

export const TracePage: FC<TracePageProps> = ({ summary, rows, durationUs, colourOf, source = 'store' }) => {
  const startUs = summary.startUs ?? 0
  return (
    <Layout title={`Trace ${summary.traceId}`} active={source === 'upload' ? 'upload' : 'trace'} scripts={['trace']}>
      <h1>
        {summary.rootService ?? 'unknown'}: {summary.rootName ?? 'unknown'} <span class="muted mono">{summary.traceId}</span>
      </h1>
      {source === 'upload' ? <div class="notice">Shown from the uploaded file; nothing was stored.</div> : null}
      <div class="card summary">
        <div><span>Duration</span>{formatDuration(summary.durationUs)}</div>
        <div><span>Services</span>{summary.services.length}</div>
        <div><span>Spans</span>{summary.spanCount}</div>
        <div><span>Errors</span>{summary.errorCount > 0 ? <span class="badge error">{summary.errorCount}</span> : <span class="ok">none</span>}</div>
        <div><span>Started (UTC)</span><span class="mono">{formatTimestamp(summary.startUs)}</span></div>
      </div>
      <div class="legend">{summary.services.map((name) => <ServiceBadge name={name} colour={colourOf(name)} count={summary.spansPerService[name]} />)}</div>
      <div class="toolbar">
        <input type="search" id="find" placeholder="Find in trace: service, span name, tag key or value, span id" aria-label="find in trace" />
        <span class="result-count" id="find-count" />
        <button type="button" class="secondary" id="expand-all">Unfold all</button>
        <button type="button" class="secondary" id="collapse-all">Fold all</button>
        {source === 'store' ? (
          <>
            <a class="button secondary" id="download" href={`/api/v2/trace/${summary.traceId}`} download={`trace-${summary.traceId}.json`}>Download JSON</a>
            <a class="button secondary" href={`/zipkin/compare?a=${summary.traceId}`}>Compare…</a>
          </>
        ) : null}
      </div>
      <Minimap rows={rows} colourOf={colourOf} />
      <p class="zoom-note" id="zoom-note" hidden>Zoomed in: <button type="button" class="secondary" id="zoom-reset">show the whole trace</button></p>
      <Waterfall rows={rows} durationUs={durationUs} startUs={startUs} colourOf={colourOf} />
    </Layout>
  )
}
