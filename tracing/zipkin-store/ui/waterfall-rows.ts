// Lays a trace out as waterfall rows: tree depth for indentation and each bar's offset and
// width as percentages of the trace's time span.

import { buildSpanTree, walkTree } from '../span-tree.ts'
import { isErrorSpan } from '../span-model.ts'
import type { Span } from '../span-model.ts'
import { traceSpanUs } from './trace-summary.ts'

export type WaterfallRow = {
  span: Span
  depth: number
  offsetPct: number
  widthPct: number
  error: boolean
}

export function waterfallRows(trace: readonly Span[]): { rows: WaterfallRow[]; durationUs: number } {
  const range = traceSpanUs(trace)
  const startUs = range?.startUs ?? 0
  const durationUs = range ? Math.max(range.endUs - range.startUs, 1) : 1
  const rows: WaterfallRow[] = []
  for (const { node, depth } of walkTree(buildSpanTree(trace))) {
    const span = node.span
    const offsetPct = span.timestamp === undefined ? 0 : ((span.timestamp - startUs) / durationUs) * 100
    // Keep instant spans visible as a sliver rather than vanishing.
    const widthPct = Math.max(Math.min(((span.duration ?? 0) / durationUs) * 100, 100 - offsetPct), 0.3)
    rows.push({ span, depth, offsetPct, widthPct, error: isErrorSpan(span) })
  }
  return { rows, durationUs }
}
