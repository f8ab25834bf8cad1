/** @jsxImportSource hono/jsx */
// /zipkin/dependency: which service calls which, how often and how often it failed, as a graph
// and as a table.

import type { FC } from 'hono/jsx'
import type { DependencyLink } from '../span-model.ts'
import { layoutServices } from './dependency-layout.ts'
import type { ColourOf } from './format.ts'
import { Layout, ServiceBadge } from './layout.tsx'

const BOX_W = 150
const BOX_H = 34
const COL_GAP = 110
const ROW_GAP = 26
const PAD = 20

const Graph: FC<{ links: DependencyLink[]; colourOf: ColourOf }> = ({ links, colourOf }) => {
  const { services, columns, rows } = layoutServices(links)
  const at = new Map(services.map((s) => [s.name, { x: PAD + s.column * (BOX_W + COL_GAP), y: PAD + s.row * (BOX_H + ROW_GAP) }]))
  const width = PAD * 2 + columns * BOX_W + (columns - 1) * COL_GAP
  const height = PAD * 2 + rows * BOX_H + (rows - 1) * ROW_GAP
  return (
    <svg class="dep-graph" viewBox={`0 0 ${width} ${height}`} style={`max-width:${width}px`} role="img" aria-label="service dependency graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" />
        </marker>
      </defs>
      {links.map((link) => {
        const from = at.get(link.parent)!
        const to = at.get(link.child)!
        const x1 = from.x + BOX_W
        const y1 = from.y + BOX_H / 2
        const x2 = to.x
        const y2 = to.y + BOX_H / 2
        const colour = link.errorCount > 0 ? '#dc2626' : '#6b7280'
        return (
          <g class="dep-edge">
            <path d={`M ${x1} ${y1} C ${x1 + 50} ${y1}, ${x2 - 50} ${y2}, ${x2} ${y2}`} fill="none" stroke={colour} stroke-width="1.5" marker-end="url(#arrow)" />
            <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 6} text-anchor="middle" font-size="11" fill={colour}>
              {link.callCount}{link.errorCount > 0 ? ` (${link.errorCount} err)` : ''}
            </text>
          </g>
        )
      })}
      {services.map((s) => {
        const p = at.get(s.name)!
        return (
          <g class="dep-node">
            <rect x={p.x} y={p.y} width={BOX_W} height={BOX_H} rx="6" fill={colourOf(s.name)} />
            <text x={p.x + BOX_W / 2} y={p.y + BOX_H / 2 + 4} text-anchor="middle" font-size="13" fill="#fff">{s.name}</text>
          </g>
        )
      })}
    </svg>
  )
}

export const DependencyPage: FC<{ links: DependencyLink[]; lookbackHours: number; colourOf: ColourOf }> = ({ links, lookbackHours, colourOf }) => (
  <Layout title="Dependencies" active="dependencies">
    <h1>Dependencies <span class="muted">(last {lookbackHours} h)</span></h1>
    {links.length === 0 ? (
      <div class="notice">No calls between services recorded yet.</div>
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
