/** @jsxImportSource hono/jsx */
// /zipkin/traces/:traceId: the waterfall. Each row is a <details>, so clicking it shows the
// span's tags and annotations without any script.

import type { FC } from 'hono/jsx'
import { localServiceName, remoteServiceName } from '../span-model.ts'
import type { Span } from '../span-model.ts'
import { formatDuration, formatTimestamp } from './format.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import type { TraceSummary } from './trace-summary.ts'
import type { WaterfallRow } from './waterfall-rows.ts'

const INDENT_PX = 16
const TICKS = [0, 0.25, 0.5, 0.75, 1]

const SpanDetail: FC<{ span: Span; startUs: number }> = ({ span, startUs }) => {
  const tags = Object.entries(span.tags ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const remote = span.remoteEndpoint
  return (
    <div class="span-detail">
      <table>
        <tbody>
          <tr><td>span id</td><td class="mono">{span.id}</td></tr>
          {span.parentId ? <tr><td>parent id</td><td class="mono">{span.parentId}</td></tr> : null}
          <tr><td>kind</td><td>{span.kind ?? 'LOCAL'}{span.shared ? ' (shared)' : ''}</td></tr>
          <tr><td>start</td><td class="mono">{formatTimestamp(span.timestamp)} (+{formatDuration(span.timestamp === undefined ? undefined : span.timestamp - startUs)})</td></tr>
          <tr><td>duration</td><td>{formatDuration(span.duration)}</td></tr>
          {remote ? (
            <tr><td>remote</td><td class="mono">{[remoteServiceName(span), remote.ipv4 ?? remote.ipv6, remote.port].filter((x) => x !== undefined).join(' ')}</td></tr>
          ) : null}
          {tags.map(([key, value]) => (
            <tr class={key === 'error' ? 'tag error-tag' : 'tag'}><td class="mono">{key}</td><td class="mono">{value}</td></tr>
          ))}
          {(span.annotations ?? []).map((a) => (
            <tr class="annotation"><td>+{formatDuration(a.timestamp - startUs)}</td><td>{a.value}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const Row: FC<{ row: WaterfallRow; startUs: number; colourOf: ColourOf }> = ({ row, startUs, colourOf }) => {
  const service = localServiceName(row.span)
  const colour = colourOf(service)
  const end = row.offsetPct + row.widthPct
  // The duration goes right of the bar, else left of it, else inside it when the bar fills the track.
  const labelStyle =
    end <= 80
      ? `left:${end.toFixed(3)}%`
      : row.offsetPct >= 20
        ? `right:${(100 - row.offsetPct).toFixed(3)}%;padding-right:6px`
        : `right:${(100 - end).toFixed(3)}%;padding-right:6px;color:#fff`
  return (
    <details class="span-row" data-service={service ?? ''} data-depth={String(row.depth)} data-span-id={row.span.id} data-error={row.error ? 'true' : 'false'}>
      <summary>
        <div class="span-label" style={`padding-left:${10 + row.depth * INDENT_PX}px`}>
          {row.error ? <span class="err-mark" title="error">!</span> : null}
          <span class="svc" style={`color:${colour}`}>{service ?? 'unknown'}</span>
          <span class="name">{row.span.name ?? 'unknown'}</span>
          {row.span.kind ? <span class="kind">{row.span.kind}</span> : null}
        </div>
        <div class="track">
          <div class={row.error ? 'bar error' : 'bar'} style={`left:${row.offsetPct.toFixed(3)}%;width:${row.widthPct.toFixed(3)}%;background:${colour}`} />
          <span class="bar-label" style={labelStyle}>
            {formatDuration(row.span.duration)}
          </span>
        </div>
      </summary>
      <SpanDetail span={row.span} startUs={startUs} />
    </details>
  )
}

export type TracePageProps = { summary: TraceSummary; rows: WaterfallRow[]; durationUs: number; colourOf: ColourOf }

export const TracePage: FC<TracePageProps> = ({ summary, rows, durationUs, colourOf }) => {
  const startUs = summary.startUs ?? 0
  return (
    <Layout title={`Trace ${summary.traceId}`} active="trace">
      <h1>
        {summary.rootService ?? 'unknown'}: {summary.rootName ?? 'unknown'} <span class="muted mono">{summary.traceId}</span>
      </h1>
      <div class="card summary">
        <div><span>Duration</span>{formatDuration(summary.durationUs)}</div>
        <div><span>Services</span>{summary.services.length}</div>
        <div><span>Spans</span>{summary.spanCount}</div>
        <div><span>Errors</span>{summary.errorCount > 0 ? <span class="badge error">{summary.errorCount}</span> : <span class="ok">none</span>}</div>
        <div><span>Started (UTC)</span><span class="mono">{formatTimestamp(summary.startUs)}</span></div>
        <div><span>JSON</span><a href={`/api/v2/trace/${summary.traceId}`}>/api/v2/trace/{summary.traceId}</a></div>
      </div>
      <div class="legend">{summary.services.map((name) => <ServiceBadge name={name} colour={colourOf(name)} />)}</div>
      <div class="waterfall" id="waterfall">
        <div class="wf-head">
          <div class="label">Service · span (click a row for tags)</div>
          <div class="ticks">
            {TICKS.map((t) => <span style={`left:${t * 100}%`}>{formatDuration(Math.round(durationUs * t))}</span>)}
          </div>
        </div>
        {rows.map((row) => <Row row={row} startUs={startUs} colourOf={colourOf} />)}
      </div>
    </Layout>
  )
}
