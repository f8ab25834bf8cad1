import { describe, expect, test } from 'bun:test'
import { DEFAULTS } from '../config/defaults.ts'
import { StatsStore } from '../stats/stats-store.ts'
import { CircuitBreakers } from './circuit-breakers.ts'

const limits = { ...DEFAULTS.circuitBreakers, maxConnections: 2, maxPendingRequests: 1, trackRemaining: true }

describe('CircuitBreakers', () => {
  test('each resource publishes its *_open flag and, with track_remaining, what it still admits', () => {
    const store = new StatsStore()
    const breakers = new CircuitBreakers(limits, store.cluster('c'))
    const gauge = (name: string) => store.get(`cluster.c.circuit_breakers.default.${name}`).value
    expect([gauge('cx_open'), gauge('remaining_cx')]).toEqual([0, 2])
    breakers.connections.inc()
    breakers.connections.inc()
    expect([gauge('cx_open'), gauge('remaining_cx'), breakers.connections.canCreate()]).toEqual([1, 0, false])
    breakers.connections.dec()
    expect([gauge('cx_open'), gauge('remaining_cx')]).toEqual([0, 1])
    breakers.pendingRequests.inc()
    expect([gauge('rq_pending_open'), gauge('remaining_pending')]).toEqual([1, 0])
  })

  test('without track_remaining there are no remaining_* stats at all (as Envoy)', () => {
    const store = new StatsStore()
    new CircuitBreakers({ ...limits, trackRemaining: false }, store.cluster('c'))
    expect(store.all().filter((stat) => stat.name.includes('remaining_'))).toEqual([])
    expect(store.get('cluster.c.circuit_breakers.default.cx_open').kind).toBe('gauge')
  })

  test('a retired generation (a reload replaced its cluster) no longer writes the gauges its successor owns', () => {
    const store = new StatsStore()
    const old = new CircuitBreakers(limits, store.cluster('c'))
    old.connections.inc()
    old.connections.inc()
    const successor = new CircuitBreakers(limits, store.cluster('c'))
    old.retire()
    successor.connections.inc()
    successor.connections.inc()
    old.connections.dec()
    expect(store.get('cluster.c.circuit_breakers.default.cx_open').value).toBe(1)
    expect(store.get('cluster.c.circuit_breakers.default.remaining_cx').value).toBe(0)
  })
})
