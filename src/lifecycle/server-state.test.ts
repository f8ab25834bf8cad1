import { expect, test } from 'bun:test'
import { StatsStore } from '../stats/stats-store.ts'
import { ServerLifecycle } from './server-state.ts'

test("server.state and server.live follow Envoy's codes; DRAINING is final", () => {
  const stats = new StatsStore()
  const lifecycle = new ServerLifecycle(stats.server())
  const gauges = () => [stats.get('server.state').value, stats.get('server.live').value]
  expect([lifecycle.state, ...gauges()]).toEqual(['PRE_INITIALIZING', 2, 0])
  lifecycle.set('INITIALIZING')
  expect(gauges()).toEqual([3, 0])
  lifecycle.set('LIVE')
  expect(gauges()).toEqual([0, 1])
  lifecycle.set('DRAINING')
  lifecycle.set('LIVE')
  expect([lifecycle.state, ...gauges()]).toEqual(['DRAINING', 1, 0])
})

test('responses ask clients to close while draining, while health checks fail on purpose, during a listener drain window', () => {
  const lifecycle = new ServerLifecycle()
  lifecycle.set('LIVE')
  expect(lifecycle.closeConnections()).toBe(false)
  lifecycle.healthcheckFailed = true
  expect(lifecycle.closeConnections()).toBe(true)
  lifecycle.healthcheckFailed = false
  lifecycle.listenersDraining = true
  expect(lifecycle.closeConnections()).toBe(true)
  lifecycle.listenersDraining = false
  expect(lifecycle.closeConnections()).toBe(false)
  lifecycle.set('DRAINING')
  expect(lifecycle.closeConnections()).toBe(true)
})
