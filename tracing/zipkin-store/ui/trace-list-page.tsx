/** @jsxImportSource hono/jsx */
// /zipkin/: the search form and the matching traces, each with its root, start, duration (bar
// relative to the longest), spans and errors, and a badge per service with its span count.

import type { FC } from 'hono/jsx'
import { formatDuration, formatTimestamp } from './format.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import { SearchForm, type SearchChoices } from './search-form.tsx'
import type { SearchForm as Form } from './search-params.ts'
import type { TraceSummary } from './trace-summary.ts'

export type TraceListProps = {
  form: Form
  choices: SearchChoices
  summaries: TraceSummary[]
  problem?: string
  colourOf: ColourOf
}

export const TraceListPage: FC<TraceListProps> = ({ form, choices, summaries, problem, colourOf }) => {
  const longest = Math.max(1, ...summaries.map((s) => s.durationUs ?? 0))
  return (
    <Layout title="Traces" active="traces" scripts={['search']}>
      <h1>Traces</h1>
      <SearchForm form={form} choices={choices} />
      {problem ? <div class="notice error">{problem}</div> : null}
      {summaries.length === 0 ? (
        <div class="notice">No traces match. Spans POSTed to <span class="mono">/api/v2/spans</span> show up here.</div>
      ) : (
        <>
          <p class="result-count" id="result-count">{summaries.length} trace{summaries.length > 1 ? 's' : ''}, {form.sort} first</p>
          <table class="list" id="traces">
            <thead>
              <tr>
                <th>Root</th><th class="hide-narrow">Start (UTC)</th><th class="duration-cell">Duration</th><th>Spans</th><th>Errors</th><th class="hide-narrow">Services</th>
              </tr>
            </thead>
            <tbody>
              {summaries.map((s) => (
                <tr class="trace-row" data-trace-id={s.traceId} data-duration={String(s.durationUs ?? 0)}>
                  <td>
                    <a href={`/zipkin/traces/${s.traceId}`}>
                      <ServiceBadge name={s.rootService} colour={colourOf(s.rootService)} />
                      <span class="root-name">{s.rootName ?? 'unknown'}</span>
                    </a>
                    <div class="mono muted">{s.traceId}</div>
                  </td>
                  <td class="mono hide-narrow">{formatTimestamp(s.startUs)}</td>
                  <td class="duration-cell">
                    {formatDuration(s.durationUs)}
                    <div class="duration-bar" style={`width:${(((s.durationUs ?? 0) / longest) * 100).toFixed(1)}%`} />
                  </td>
                  <td class="span-count">{s.spanCount}</td>
                  <td class="errors">
                    {s.errorCount > 0 ? <span class="badge error">{s.errorCount} error{s.errorCount > 1 ? 's' : ''}</span> : <span class="ok">none</span>}
                  </td>
                  <td class="services hide-narrow">
                    {s.services.map((name) => <ServiceBadge name={name} colour={colourOf(name)} count={s.spansPerService[name]} />)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  )
}
