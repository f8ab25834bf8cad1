/** @jsxImportSource hono/jsx */
// /zipkin/: recent traces, filtered by service and minimum duration through the query string.

import type { FC } from 'hono/jsx'
import { formatDuration, formatTimestamp } from './format.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import type { TraceSummary } from './trace-summary.ts'

export type TraceListProps = {
  services: string[]
  summaries: TraceSummary[]
  filters: { serviceName: string; minDurationMs: string; limit: string }
  problem?: string
  colourOf: ColourOf
}

export const TraceListPage: FC<TraceListProps> = ({ services, summaries, filters, problem, colourOf }) => {
  const longest = Math.max(1, ...summaries.map((s) => s.durationUs ?? 0))
  return (
    <Layout title="Traces" active="traces">
      <h1>Traces</h1>
      <form class="card filters" method="get" action="/zipkin/">
        <label>
          Service
          <select name="serviceName">
            <option value="">all services</option>
            {services.map((name) => (
              <option value={name} selected={name === filters.serviceName}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Min duration (ms)
          <input name="minDuration" type="number" min="0" step="any" value={filters.minDurationMs} placeholder="e.g. 100" />
        </label>
        <label>
          Limit
          <input name="limit" type="number" min="1" max="1000" value={filters.limit} />
        </label>
        <button type="submit">Find traces</button>
      </form>
      {problem ? <div class="notice error">{problem}</div> : null}
      {summaries.length === 0 ? (
        <div class="notice">No traces match. Spans POSTed to <span class="mono">/api/v2/spans</span> show up here.</div>
      ) : (
        <table class="list" id="traces">
          <thead>
            <tr>
              <th>Start (UTC)</th><th>Root</th><th>Spans</th><th class="duration-cell">Duration</th><th>Errors</th><th>Services</th><th>Trace id</th>
            </tr>
          </thead>
          <tbody>
            {summaries.map((s) => (
              <tr class="trace-row" data-trace-id={s.traceId}>
                <td class="mono">{formatTimestamp(s.startUs)}</td>
                <td>
                  <a href={`/zipkin/traces/${s.traceId}`}>
                    <ServiceBadge name={s.rootService} colour={colourOf(s.rootService)} />
                    {s.rootName ?? 'unknown'}
                  </a>
                </td>
                <td class="span-count">{s.spanCount}</td>
                <td class="duration-cell">
                  {formatDuration(s.durationUs)}
                  <div class="duration-bar" style={`width:${(((s.durationUs ?? 0) / longest) * 100).toFixed(1)}%`} />
                </td>
                <td class="errors">
                  {s.errorCount > 0 ? <span class="badge error">{s.errorCount} error{s.errorCount > 1 ? 's' : ''}</span> : <span class="ok">none</span>}
                </td>
                <td>{s.services.map((name) => <ServiceBadge name={name} colour={colourOf(name)} />)}</td>
                <td class="mono"><a href={`/zipkin/traces/${s.traceId}`}>{s.traceId}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  )
}
