// One line of the trace list: who started the trace, how long it took, how big it is, and
// whether anything failed.

import { buildSpanTree } from '../span-tree.ts'
import { isErrorSpan, localServiceName } from '../span-model.ts'
import type { Span } from '../span-model.ts'

export type TraceSummary = {
  traceId: string
  rootService: string | undefined
  rootName: string | undefined
  spanCount: number
  errorCount: number
  /** Earliest start, epoch µs. */
  startUs: number | undefined
  durationUs: number | undefined
  services: string[]
  /** Spans per service, for the badges. */
  spansPerService: Record<string, number>
}

/** Start and end of everything timed in the trace, in epoch µs. */
export function traceSpanUs(trace: readonly Span[]): { startUs: number; endUs: number } | undefined {
  let startUs = Number.POSITIVE_INFINITY
  let endUs = Number.NEGATIVE_INFINITY
  for (const span of trace) {
    if (span.timestamp === undefined) continue
    startUs = Math.min(startUs, span.timestamp)
    endUs = Math.max(endUs, span.timestamp + (span.duration ?? 0))
  }
  return Number.isFinite(startUs) ? { startUs, endUs } : undefined
}

export function summariseTrace(trace: readonly Span[]): TraceSummary {
  const root = buildSpanTree(trace)[0]?.span
  const range = traceSpanUs(trace)
  const services = new Set<string>()
  const spansPerService: Record<string, number> = {}
  for (const span of trace) {
    const name = localServiceName(span)
    if (name === undefined) continue
    services.add(name)
    spansPerService[name] = (spansPerService[name] ?? 0) + 1
  }
  return {
    traceId: root?.traceId ?? trace[0]?.traceId ?? '',
    rootService: root ? localServiceName(root) : undefined,
    rootName: root?.name,
    spanCount: trace.length,
    errorCount: trace.filter(isErrorSpan).length,
    startUs: range?.startUs,
    durationUs: range ? Math.max(range.endUs - range.startUs, 1) : undefined,
    services: [...services].sort(),
    spansPerService,
  }
}
