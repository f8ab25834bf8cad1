// Lays a trace out as waterfall rows: tree depth for indentation, the parent row and the number
// of descendants (for collapsing subtrees), and each bar's offset and width as percentages of the
// trace's time span.

import { buildSpanTree, walkTree, type SpanNode } from '../span-tree.ts'
import { isErrorSpan } from '../span-model.ts'
import type { Span } from '../span-model.ts'
import { traceSpanUs } from './trace-summary.ts'

export type WaterfallRow = {
  span: Span
  index: number
  depth: number
  /** Row index of the parent; -1 for a root. */
  parentIndex: number
  descendants: number
  /** µs from the trace start. */
  offsetUs: number
  offsetPct: number
  widthPct: number
  error: boolean
}

export function waterfallRows(trace: readonly Span[]): { rows: WaterfallRow[]; durationUs: number } {
  const range = traceSpanUs(trace)
  const startUs = range?.startUs ?? 0
  const durationUs = range ? Math.max(range.endUs - range.startUs, 1) : 1
  const rows: WaterfallRow[] = []
  const indexOf = new Map<SpanNode, number>()
  for (const { node, depth } of walkTree(buildSpanTree(trace))) {
    const span = node.span
    const offsetUs = span.timestamp === undefined ? 0 : span.timestamp - startUs
    const offsetPct = (offsetUs / durationUs) * 100
    // Keep instant spans visible as a sliver rather than vanishing.
    const widthPct = Math.max(Math.min(((span.duration ?? 0) / durationUs) * 100, 100 - offsetPct), 0.3)
    const index = rows.length
    indexOf.set(node, index)
    const parentIndex = node.parent ? (indexOf.get(node.parent) ?? -1) : -1
    rows.push({ span, index, depth, parentIndex, descendants: 0, offsetUs, offsetPct, widthPct, error: isErrorSpan(span) })
    for (let at = parentIndex; at >= 0; at = rows[at]!.parentIndex) rows[at]!.descendants += 1
  }
  return { rows, durationUs }
}
