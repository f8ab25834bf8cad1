import { describe, expect, test } from 'bun:test'
import type { DependencyLink } from '../span-model.ts'
import { BOX_H, BOX_W, layoutDependencies } from './dependency-layout.ts'

const link = (parent: string, child: string): DependencyLink => ({ parent, child, callCount: 1, errorCount: 0 })

/** Points every 2 px along the edge's segments (curves between points stay inside their bounding box). */
function sampled(points: [number, number][]): [number, number][] {
  const out: [number, number][] = []
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!
    const [x1, y1] = points[i]!
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 2))
    for (let s = 0; s <= steps; s++) out.push([x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps])
  }
  return out
}

/** No edge passes through a service box other than the two it joins. */
function expectEveryEdgeVisible(links: DependencyLink[]): void {
  const { services, edges } = layoutDependencies(links)
  expect(edges).toHaveLength(links.length)
  for (const edge of edges) {
    for (const box of services) {
      if (box.name === edge.link.parent || box.name === edge.link.child) continue
      const inside = sampled(edge.points).filter(([x, y]) => x > box.x && x < box.x + BOX_W && y > box.y && y < box.y + BOX_H)
      expect(inside, `${edge.link.parent} → ${edge.link.child} under ${box.name}`).toEqual([])
    }
    // Curves between two points at different heights must not cross a box either: check their bounding boxes.
    for (let i = 1; i < edge.points.length; i++) {
      const [x0, y0] = edge.points[i - 1]!
      const [x1, y1] = edge.points[i]!
      for (const box of services) {
        if (box.name === edge.link.parent || box.name === edge.link.child) continue
        const overlaps = Math.min(x0, x1) < box.x + BOX_W && Math.max(x0, x1) > box.x && Math.min(y0, y1) < box.y + BOX_H && Math.max(y0, y1) > box.y
        expect(overlaps, `${edge.link.parent} → ${edge.link.child} segment ${i} over ${box.name}`).toBe(false)
      }
    }
  }
}

describe('layoutDependencies', () => {
  test('the edge that skips a column (front-proxy → service2) goes round service1, not under it', () => {
    const links = [link('front-proxy', 'service1'), link('service1', 'service2'), link('front-proxy', 'service2')]
    const { services, edges } = layoutDependencies(links)
    expect(services.map((s) => [s.name, s.column])).toEqual([['front-proxy', 0], ['service1', 1], ['service2', 2]])
    const skip = edges.find((e) => e.link.child === 'service2' && e.link.parent === 'front-proxy')!
    // It passes through a slot of column 1 of its own.
    expect(skip.points).toHaveLength(4)
    expectEveryEdgeVisible(links)
  })

  test('wider graphs, fan-out, long skips and a call cycle: every edge visible', () => {
    expectEveryEdgeVisible([
      link('edge', 'api'), link('edge', 'web'), link('api', 'users'), link('api', 'orders'), link('orders', 'db'),
      link('users', 'db'), link('edge', 'db'), link('web', 'api'), link('api', 'cache'), link('edge', 'cache'),
    ])
    const cyclic = [link('a', 'b'), link('b', 'c'), link('c', 'a')]
    const { edges } = layoutDependencies(cyclic)
    expect(edges.filter((e) => e.backward)).toHaveLength(1)
    expectEveryEdgeVisible(cyclic)
  })

  test('deterministic: the same links give the same layout', () => {
    const links = [link('x', 'y'), link('w', 'y'), link('y', 'z'), link('w', 'z')]
    expect(layoutDependencies(links)).toEqual(layoutDependencies([...links].reverse()))
  })
})

test('a backward edge into a column with boxes above runs in the gaps', () => {
  expectEveryEdgeVisible([link('a', 'b'), link('a', 'c'), link('a', 'd'), link('d', 'e'), link('c', 'e'), link('e', 'b'), link('b', 'x'), link('x', 'a')])
})
