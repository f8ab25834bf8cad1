// Lays the dependency graph out as a layered DAG (Sugiyama style) so every edge can be seen:
// services in columns by longest call path; an edge spanning several columns passes through a
// free slot in each column between (a "dummy" node), so it never runs under a service box;
// rows ordered by the barycentre of their neighbours to keep crossings down. Edges against the
// flow (call cycles) run up a column gap, over the boxes, and down another gap.

import type { DependencyLink } from '../span-model.ts'

export const BOX_W = 150
export const BOX_H = 34
const COL_GAP = 120
const ROW_GAP = 26
const PAD = 24
/** Room above the first row for arcs of backward edges. */
const ARC_ROOM = 40
/** How far into a column gap a backward edge runs up or down. */
const LANE = COL_GAP / 3

export type PlacedService = { name: string; column: number; row: number; x: number; y: number }
export type PlacedEdge = { link: DependencyLink; points: [number, number][]; backward: boolean }
export type DependencyLayout = { services: PlacedService[]; edges: PlacedEdge[]; width: number; height: number }

type Slot = { name: string; dummy: boolean; column: number; order: number }

export function layoutDependencies(unordered: readonly DependencyLink[]): DependencyLayout {
  // Sorted first, so the layout depends on the links, not on the order they came in.
  const links = [...unordered].sort((a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child))
  const names = [...new Set(links.flatMap((l) => [l.parent, l.child]))].sort()
  const depth = new Map(names.map((name) => [name, 0]))
  // Longest path from a service nobody calls; relaxation bounded so call cycles cannot loop.
  for (let pass = 0; pass < names.length; pass++) {
    let changed = false
    for (const link of links) {
      const next = depth.get(link.parent)! + 1
      if (next > depth.get(link.child)! && next < names.length) {
        depth.set(link.child, next)
        changed = true
      }
    }
    if (!changed) break
  }
  const columns: Slot[][] = []
  const slotOf = new Map<string, Slot>()
  const add = (slot: Slot) => {
    ;(columns[slot.column] ??= []).push(slot)
    slot.order = columns[slot.column]!.length - 1
    return slot
  }
  for (const name of names) slotOf.set(name, add({ name, dummy: false, column: depth.get(name)!, order: 0 }))
  // Forward edges over several columns get a dummy slot in each column they cross.
  const chains = links.map((link) => {
    const from = slotOf.get(link.parent)!
    const to = slotOf.get(link.child)!
    if (to.column <= from.column) return { link, chain: [from, to], backward: true }
    const chain = [from]
    for (let c = from.column + 1; c < to.column; c++) chain.push(add({ name: `${link.parent}->${link.child}@${c}`, dummy: true, column: c, order: 0 }))
    chain.push(to)
    return { link, chain, backward: false }
  })
  orderByBarycentre(columns, chains.filter((c) => !c.backward).map((c) => c.chain))

  const rows = Math.max(1, ...columns.map((column) => column?.length ?? 0))
  const anyBackward = chains.some((c) => c.backward)
  const top = PAD + (anyBackward ? ARC_ROOM : 0)
  const left = PAD + (anyBackward ? LANE : 0)
  const x = (slot: Slot) => left + slot.column * (BOX_W + COL_GAP)
  const y = (slot: Slot) => top + slot.order * (BOX_H + ROW_GAP)
  const services = names.map((name) => {
    const slot = slotOf.get(name)!
    return { name, column: slot.column, row: slot.order, x: x(slot), y: y(slot) }
  })
  const edges = chains.map(({ link, chain, backward }): PlacedEdge => {
    const from = chain[0]!
    const to = chain.at(-1)!
    if (backward) {
      // Out of the caller's right side into the gap after its column, up over every box, down the
      // gap before the callee's column and into its left side: only gaps, never under a box.
      const out = x(from) + BOX_W + LANE
      const into = x(to) - LANE
      const arc = PAD / 2 + (ARC_ROOM / 2) * (from.order % 2)
      const y1 = y(from) + BOX_H / 2
      const y2 = y(to) + BOX_H / 2
      return { link, backward, points: [[x(from) + BOX_W, y1], [out, y1], [out, arc], [into, arc], [into, y2], [x(to), y2]] }
    }
    const points: [number, number][] = [[x(from) + BOX_W, y(from) + BOX_H / 2]]
    for (const dummy of chain.slice(1, -1)) points.push([x(dummy), y(dummy) + BOX_H / 2], [x(dummy) + BOX_W, y(dummy) + BOX_H / 2])
    points.push([x(to), y(to) + BOX_H / 2])
    return { link, backward, points }
  })
  const used = Math.max(1, columns.length)
  return { services, edges, width: left + PAD + LANE + used * BOX_W + (used - 1) * COL_GAP, height: top + PAD + rows * BOX_H + (rows - 1) * ROW_GAP }
}

/** A few down-and-up sweeps ordering each column by the mean order of its neighbours. */
function orderByBarycentre(columns: Slot[][], chains: Slot[][]): void {
  const neighbours = new Map<Slot, { left: Slot[]; right: Slot[] }>()
  const of = (slot: Slot) => neighbours.get(slot) ?? neighbours.set(slot, { left: [], right: [] }).get(slot)!
  for (const chain of chains) {
    for (let i = 1; i < chain.length; i++) {
      of(chain[i]!).left.push(chain[i - 1]!)
      of(chain[i - 1]!).right.push(chain[i]!)
    }
  }
  const mean = (list: Slot[], fallback: number) => (list.length === 0 ? fallback : list.reduce((sum, s) => sum + s.order, 0) / list.length)
  for (let sweep = 0; sweep < 4; sweep++) {
    const forward = sweep % 2 === 0
    for (let k = 0; k < columns.length; k++) {
      const column = columns[forward ? k : columns.length - 1 - k]
      if (!column) continue
      const keyed = column.map((slot) => ({ slot, key: mean(forward ? of(slot).left : of(slot).right, slot.order) }))
      keyed.sort((a, b) => a.key - b.key || a.slot.order - b.slot.order)
      keyed.forEach((entry, order) => (entry.slot.order = order))
      column.sort((a, b) => a.order - b.order)
    }
  }
}
