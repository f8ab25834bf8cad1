/** @jsxImportSource hono/jsx */
// /zipkin/dependency: which service calls which, with call and error counts, for a time window
// picked like the search's (quick picks or a custom UTC range, in the URL); a graph where every
// edge is visible (dependency-layout.ts) and the same links as a table.

import type { FC } from 'hono/jsx'
import type { DependencyLink } from '../span-model.ts'
import { BOX_H, BOX_W, layoutDependencies } from './dependency-layout.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'
import { LOOKBACKS } from './search-params.ts'

const path = (points: [number, number][]): string => {
  // Straight through the dummy slots, smooth between columns.
  let d = `M ${points[0]![0]} ${points[0]![1]}`
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!
    const [x1, y1] = points[i]!
    if (y0 === y1 || x0 === x1) d += ` L ${x1} ${y1}`
    else d += ` C ${(x0 + x1) / 2} ${y0}, ${(x0 + x1) / 2} ${y1}, ${x1} ${y1}`
  }
  return d
}

const Graph: FC<{ links: DependencyLink[]; colourOf: ColourOf }> = ({ links, colourOf }) => {
  const { services, edges, width, height } = layoutDependencies(links)
  return (
    <svg class="dep-graph" viewBox={`0 0 ${width} ${height}`} style={`max-width:${width}px`} role="img" aria-label="service dependency graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" />
        </marker>
        <marker id="arrow-error" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#dc2626" />
        </marker>
      </defs>
      {edges.map(({ link, points }) => {
        const error = link.errorCount > 0
        const colour = error ? '#dc2626' : '#6b7280'
        // The label sits on the edge's first segment, just after the caller.
        const lx = (points[0]![0] + points[1]![0]) / 2
        const ly = (points[0]![1] + points[1]![1]) / 2
        return (
          <g class="dep-edge" data-parent={link.parent} data-child={link.child} data-points={points.map((p) => p.join(',')).join(' ')}>
            <title>{`${link.parent} → ${link.child}: ${link.callCount} calls, ${link.errorCount} errors`}</title>
            <path d={path(points)} fill="none" stroke={colour} stroke-width="1.6" marker-end={`url(#${error ? 'arrow-error' : 'arrow'})`} />
            <text x={lx} y={ly - 6} text-anchor="middle" font-size="11" style={`fill:${colour}`}>
              {link.callCount}{error ? ` (${link.errorCount} err)` : ''}
            </text>
          </g>
        )
      })}
      {services.map((s) => (
        <g class="dep-node" data-service={s.name} data-box={`${s.x},${s.y},${BOX_W},${BOX_H}`}>
          <rect x={s.x} y={s.y} width={BOX_W} height={BOX_H} rx="6" fill={colourOf(s.name)} />
          <text class="node-label" x={s.x + BOX_W / 2} y={s.y + BOX_H / 2 + 4} text-anchor="middle" font-size="13">{s.name}</text>
        </g>
      ))}
    </svg>
  )
}

export type DependencyPageProps = { links: DependencyLink[]; colourOf: ColourOf; lookback: string; start: string; end: string; problem?: string; windowText: string }

export const DependencyPage: FC<DependencyPageProps> = ({ links, colourOf, lookback, start, end, problem, windowText }) => (
  <Layout title="Dependencies" active="dependencies" scripts={['search']}>
    <h1>Dependencies <span class="muted">({windowText})</span></h1>
    <form class="card filters" method="get" action="/zipkin/dependency">
      <label>
        Time range
        <select name="lookback" id="f-lookback">
          {LOOKBACKS.map(([key, label]) => <option value={key} selected={lookback === key}>{label}</option>)}
          <option value="custom" selected={lookback === 'custom'}>custom (UTC)…</option>
        </select>
      </label>
      <span class="custom-range filters" id="f-custom" hidden={lookback !== 'custom'}>
        <label>From (UTC)<input type="datetime-local" name="start" value={start} /></label>
        <label>To (UTC)<input type="datetime-local" name="end" value={end} /></label>
      </span>
      <button type="submit">Show</button>
    </form>
    {problem ? <div class="notice error">{problem}</div> : null}
    {links.length === 0 ? (
      <div class="notice">No calls between services in this window.</div>
    ) : (
      <>
        <Graph links={links} colourOf={colourOf} />
        <h2>Links</h2>
        <table class="list" id="dependencies">
          <thead><tr><th>Caller</th><th>Callee</th><th>Calls</th><th>Errors</th></tr></thead>
          <tbody>
            {links.map((link) => (
              <tr class="dep-row">
                <td><ServiceBadge name={link.parent} colour={colourOf(link.parent)} /></td>
                <td><ServiceBadge name={link.child} colour={colourOf(link.child)} /></td>
                <td>{link.callCount}</td>
                <td>{link.errorCount > 0 ? <span class="badge error">{link.errorCount}</span> : <span class="ok">0</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    )}
  </Layout>
)
