// Arranges a trace's spans into a tree for the dependency linker and the waterfall. A shared
// SERVER span hangs under the CLIENT span whose id it reuses.

import { localServiceName } from './span-model.ts'
import type { Span } from './span-model.ts'

export type SpanNode = { span: Span; parent: SpanNode | undefined; children: SpanNode[] }

function byTimestamp(a: SpanNode, b: SpanNode): number {
  return (a.span.timestamp ?? Number.MAX_SAFE_INTEGER) - (b.span.timestamp ?? Number.MAX_SAFE_INTEGER)
}

function pickParent(span: Span, nodesById: Map<string, SpanNode[]>): SpanNode | undefined {
  if (span.shared) {
    const client = nodesById.get(span.id)?.find((node) => !node.span.shared)
    if (client) return client
  }
  if (span.parentId === undefined) return undefined
  const candidates = nodesById.get(span.parentId)
  if (!candidates || candidates.length === 0) return undefined
  // When the parent id names both halves of a shared span, the child ran on the server side.
  return (
    candidates.find((node) => localServiceName(node.span) === localServiceName(span)) ??
    candidates.find((node) => node.span.shared) ??
    candidates[0]
  )
}

/** Root nodes, children ordered by start time; spans whose parent is missing become roots. */
export function buildSpanTree(trace: readonly Span[]): SpanNode[] {
  const nodes = trace.map((span): SpanNode => ({ span, parent: undefined, children: [] }))
  const nodesById = new Map<string, SpanNode[]>()
  for (const node of nodes) {
    const list = nodesById.get(node.span.id) ?? []
    list.push(node)
    nodesById.set(node.span.id, list)
  }
  for (const node of nodes) {
    const parent = pickParent(node.span, nodesById)
    if (parent && parent !== node && !isAncestor(node, parent)) {
      node.parent = parent
      parent.children.push(node)
    }
  }
  for (const node of nodes) node.children.sort(byTimestamp)
  return nodes.filter((node) => node.parent === undefined).sort(byTimestamp)
}

/** Guards against id cycles in bad data, which would otherwise hide spans from every root. */
function isAncestor(candidate: SpanNode, node: SpanNode): boolean {
  for (let at: SpanNode | undefined = node; at; at = at.parent) if (at === candidate) return true
  return false
}

/** Depth-first, parents before children. */
export function* walkTree(roots: readonly SpanNode[], depth = 0): IterableIterator<{ node: SpanNode; depth: number }> {
  for (const node of roots) {
    yield { node, depth }
    yield* walkTree(node.children, depth + 1)
  }
}
