// Two traces side by side, by operation: for each (service, span name) how many spans each trace
// has and how long they took in total, and the difference, slowest change first.

import { localServiceName, type Span } from '../span-model.ts'

export type OperationTotals = { count: number; totalUs: number }
export type CompareRow = { service: string; name: string; a: OperationTotals | undefined; b: OperationTotals | undefined; deltaUs: number }

function totals(trace: readonly Span[]): Map<string, OperationTotals & { service: string; name: string }> {
  const out = new Map<string, OperationTotals & { service: string; name: string }>()
  for (const span of trace) {
    const service = localServiceName(span) ?? 'unknown'
    const name = span.name ?? 'unknown'
    const key = `${service}\u0000${name}`
    const entry = out.get(key) ?? { service, name, count: 0, totalUs: 0 }
    entry.count += 1
    entry.totalUs += span.duration ?? 0
    out.set(key, entry)
  }
  return out
}

export function compareTraces(a: readonly Span[], b: readonly Span[]): CompareRow[] {
  const left = totals(a)
  const right = totals(b)
  const rows: CompareRow[] = []
  for (const key of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(key)
    const r = right.get(key)
    const { service, name } = (l ?? r)!
    rows.push({
      service,
      name,
      a: l && { count: l.count, totalUs: l.totalUs },
      b: r && { count: r.count, totalUs: r.totalUs },
      deltaUs: (r?.totalUs ?? 0) - (l?.totalUs ?? 0),
    })
  }
  return rows.sort((x, y) => Math.abs(y.deltaUs) - Math.abs(x.deltaUs) || x.service.localeCompare(y.service) || x.name.localeCompare(y.name))
}
