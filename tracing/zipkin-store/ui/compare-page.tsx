/** @jsxImportSource hono/jsx */
// /zipkin/compare?a=ID&b=ID (Lens has none): two traces' summaries side by side, then every
// operation with its span count and total time in each and the difference, largest first.

import type { FC } from 'hono/jsx'
import type { CompareRow } from './compare-rows.ts'
import { formatDuration, formatTimestamp, type ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import type { TraceSummary } from './trace-summary.ts'

const Side: FC<{ label: string; summary: TraceSummary; colourOf: ColourOf }> = ({ label, summary, colourOf }) => (
  <div class="card" data-side={label}>
    <h2>{label}: <a class="mono" href={`/zipkin/traces/${summary.traceId}`}>{summary.traceId}</a></h2>
    <div class="summary">
      <div><span>Root</span>{summary.rootService ?? 'unknown'}: {summary.rootName ?? 'unknown'}</div>
      <div><span>Duration</span><span class="total-duration">{formatDuration(summary.durationUs)}</span></div>
      <div><span>Spans</span>{summary.spanCount}</div>
      <div><span>Errors</span>{summary.errorCount}</div>
      <div><span>Started (UTC)</span><span class="mono">{formatTimestamp(summary.startUs)}</span></div>
    </div>
    <div class="legend">{summary.services.map((name) => <ServiceBadge name={name} colour={colourOf(name)} count={summary.spansPerService[name]} />)}</div>
  </div>
)

const cell = (t: { count: number; totalUs: number } | undefined) => (t ? `${t.count} × · ${formatDuration(t.totalUs)}` : '—')

export type ComparePageProps = {
  a: string
  b: string
  sides?: { a: TraceSummary; b: TraceSummary; rows: CompareRow[] }
  problem?: string
  recent: TraceSummary[]
  colourOf: ColourOf
}

export const ComparePage: FC<ComparePageProps> = ({ a, b, sides, problem, recent, colourOf }) => (
  <Layout title="Compare traces" active="compare">
    <h1>Compare two traces</h1>
    <form class="card filters" method="get" action="/zipkin/compare">
      <label class="wide">Trace A<input name="a" value={a} list="recent-traces" class="mono" placeholder="trace id" /></label>
      <label class="wide">Trace B<input name="b" value={b} list="recent-traces" class="mono" placeholder="trace id" /></label>
      <datalist id="recent-traces">
        {recent.map((s) => <option value={s.traceId}>{`${s.rootService ?? ''} ${s.rootName ?? ''} ${formatDuration(s.durationUs)}`}</option>)}
      </datalist>
      <button type="submit">Compare</button>
    </form>
    {problem ? <div class="notice error">{problem}</div> : null}
    {sides ? (
      <>
        <div class="compare">
          <Side label="A" summary={sides.a} colourOf={colourOf} />
          <Side label="B" summary={sides.b} colourOf={colourOf} />
        </div>
        <table class="list" id="compare">
          <thead><tr><th>Service</th><th>Span</th><th>A</th><th>B</th><th>B − A</th></tr></thead>
          <tbody>
            {sides.rows.map((row) => (
              <tr class="compare-row" data-service={row.service} data-name={row.name} data-delta-us={String(row.deltaUs)}>
                <td><ServiceBadge name={row.service} colour={colourOf(row.service)} /></td>
                <td class="mono">{row.name}</td>
                <td>{cell(row.a)}</td>
                <td>{cell(row.b)}</td>
                <td class={row.deltaUs > 0 ? 'delta-up' : row.deltaUs < 0 ? 'delta-down' : 'muted'}>
                  {row.a === undefined ? 'only in B' : row.b === undefined ? 'only in A' : `${row.deltaUs > 0 ? '+' : row.deltaUs < 0 ? '−' : '±'}${formatDuration(Math.abs(row.deltaUs))}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ) : null}
  </Layout>
)
