// Places services in columns for the dependency graph: callers left of callees, each service in
// the column of its longest call path from a service nobody calls.

import type { DependencyLink } from '../span-model.ts'

export type PlacedService = { name: string; column: number; row: number }

export function layoutServices(links: readonly DependencyLink[]): { services: PlacedService[]; columns: number; rows: number } {
  const names = new Set<string>()
  for (const link of links) names.add(link.parent).add(link.child)
  const depth = new Map<string, number>([...names].map((name) => [name, 0]))
  // Relaxation bounded by the service count, so call cycles cannot loop forever.
  for (let pass = 0; pass < names.size; pass++) {
    let changed = false
    for (const link of links) {
      const next = depth.get(link.parent)! + 1
      if (next > depth.get(link.child)! && next < names.size) {
        depth.set(link.child, next)
        changed = true
      }
    }
    if (!changed) break
  }
  const perColumn = new Map<number, number>()
  const services = [...names].sort().map((name): PlacedService => {
    const column = depth.get(name)!
    const row = perColumn.get(column) ?? 0
    perColumn.set(column, row + 1)
    return { name, column, row }
  })
  const columns = Math.max(0, ...services.map((s) => s.column)) + 1
  const rows = Math.max(0, ...perColumn.values())
  return { services, columns, rows }
}
