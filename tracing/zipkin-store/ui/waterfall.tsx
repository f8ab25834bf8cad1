/** @jsxImportSource hono/jsx */
// The waterfall: one <details> row per span (opening it shows the span detail without script),
// indented by depth, with a toggle that folds its subtree (trace.js) and a bar on the time axis.

import type { FC } from 'hono/jsx'
import { localServiceName } from '../span-model.ts'
import { formatDuration } from './format.ts'
import type { ColourOf } from './format.ts'
import { SpanDetail } from './span-detail.tsx'
import type { WaterfallRow } from './waterfall-rows.ts'

const INDENT_PX = 14
const TICKS = [0, 0.25, 0.5, 0.75, 1]

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
    <details
      class="span-row"
      id={`row-${row.index}`}
      data-index={String(row.index)}
      data-parent={String(row.parentIndex)}
      data-descendants={String(row.descendants)}
      data-service={service ?? ''}
      data-depth={String(row.depth)}
      data-span-id={row.span.id}
      data-error={row.error ? 'true' : 'false'}
    >
      <summary>
        <div class="span-label" style={`padding-left:${6 + row.depth * INDENT_PX}px`}>
          <button type="button" class={row.descendants > 0 ? 'toggle' : 'toggle leaf'} aria-label="fold subtree" aria-expanded="true" tabindex={row.descendants > 0 ? 0 : -1}>−</button>
          {row.error ? <span class="err-mark" title="error">!</span> : null}
          <span class="svc" style={`color:${colour}`}>{service ?? 'unknown'}</span>
          <span class="name">{row.span.name ?? 'unknown'}</span>
          {row.span.kind ? <span class="kind">{row.span.kind}</span> : null}
          <span class="hidden-count" hidden />
        </div>
        <div class="track">
          <div
            class={row.error ? 'bar error' : 'bar'}
            data-offset-us={String(row.offsetUs)}
            data-duration-us={String(row.span.duration ?? 0)}
            style={`left:${row.offsetPct.toFixed(3)}%;width:${row.widthPct.toFixed(3)}%;background:${colour}`}
          />
          <span class="bar-label" style={labelStyle}>{formatDuration(row.span.duration)}</span>
        </div>
      </summary>
      <SpanDetail span={row.span} startUs={startUs} />
    </details>
  )
}

export const Waterfall: FC<{ rows: WaterfallRow[]; durationUs: number; startUs: number; colourOf: ColourOf }> = ({ rows, durationUs, startUs, colourOf }) => (
  <div class="waterfall" id="waterfall" data-duration-us={String(durationUs)}>
    <div class="wf-head">
      <div class="label">Service · span (click a row for its detail)</div>
      <div class="ticks" id="ticks">
        {TICKS.map((t) => <span data-fraction={String(t)} style={`left:${t * 100}%`}>{formatDuration(Math.round(durationUs * t))}</span>)}
      </div>
    </div>
    {rows.map((row) => <Row row={row} startUs={startUs} colourOf={colourOf} />)}
  </div>
)

/** Every span as a thin bar in one box: the shape of the whole trace; drag on it to zoom (trace.js). */
export const Minimap: FC<{ rows: WaterfallRow[]; colourOf: ColourOf }> = ({ rows, colourOf }) => {
  const step = rows.length > 1 ? 56 / (rows.length - 1) : 0
  return (
    <div class="minimap" id="minimap" title="Drag to zoom into a time window; double-click to reset">
      {rows.map((row) => (
        <div
          class="mm-bar"
          data-row={String(row.index)}
          style={`left:${row.offsetPct.toFixed(3)}%;width:${row.widthPct.toFixed(3)}%;top:${(4 + row.index * step).toFixed(1)}px;background:${colourOf(localServiceName(row.span))}`}
        />
      ))}
      <div class="mm-window" id="mm-window" hidden />
    </div>
  )
}
