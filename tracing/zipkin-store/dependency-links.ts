// Derives service-to-service call counts from stored traces (GET /api/v2/dependencies): each
// RPC is counted once, at the server side when it was traced, else at the client side.

import { buildSpanTree, walkTree } from './span-tree.ts'
import type { SpanNode } from './span-tree.ts'
import { isErrorSpan, localServiceName, remoteServiceName } from './span-model.ts'
import type { DependencyLink, Span } from './span-model.ts'

type Counter = Map<string, DependencyLink>

function addLink(links: Counter, parent: string, child: string, error: boolean): void {
  if (parent === child) return
  const key = `${parent}\u0000${child}`
  const link = links.get(key) ?? { parent, child, callCount: 0, errorCount: 0 }
  link.callCount += 1
  if (error) link.errorCount += 1
  links.set(key, link)
}

function isCaller(span: Span): boolean {
  return span.kind === 'CLIENT' || span.kind === 'PRODUCER'
}

/** Nearest ancestor that ran in another service (local spans in between are skipped). */
function callerOf(node: SpanNode, service: string): SpanNode | undefined {
  for (let at = node.parent; at; at = at.parent) {
    const name = localServiceName(at.span)
    if (name !== undefined && name !== service) return at
    if (name === service) return undefined
  }
  return undefined
}

function linkTrace(trace: readonly Span[], links: Counter): void {
  for (const { node } of walkTree(buildSpanTree(trace))) {
    const span = node.span
    const service = localServiceName(span)
    if (isCaller(span)) {
      // Counted at the callee when the callee reported a span of its own.
      const calleeTraced = node.children.some((child) => localServiceName(child.span) !== service)
      const remote = remoteServiceName(span)
      if (!calleeTraced && service !== undefined && remote !== undefined) addLink(links, service, remote, isErrorSpan(span))
      continue
    }
    if (service === undefined) continue
    const caller = callerOf(node, service)
    if (caller) {
      addLink(links, localServiceName(caller.span)!, service, isErrorSpan(span) || isErrorSpan(caller.span))
    } else if ((span.kind === 'SERVER' || span.kind === 'CONSUMER') && node.parent === undefined) {
      // An uninstrumented caller is known only from the server's remote endpoint.
      const remote = remoteServiceName(span)
      if (remote !== undefined) addLink(links, remote, service, isErrorSpan(span))
    }
  }
}

export function linkDependencies(traces: Iterable<readonly Span[]>): DependencyLink[] {
  const links: Counter = new Map()
  for (const trace of traces) linkTrace(trace, links)
  return [...links.values()].sort((a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child))
}
