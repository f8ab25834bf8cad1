// What the pool's unit tests share: a fake transport, a dial the test completes by hand, and a pool
// whose endpoints report to a real StatsStore and real circuit breakers.

import { DEFAULTS } from '../config/defaults.ts'
import type { CircuitBreakersConfig } from '../config/model.ts'
import { StatsStore } from '../stats/stats-store.ts'
import { CircuitBreakers } from '../upstream/circuit-breakers.ts'
import { Endpoint } from '../upstream/endpoint.ts'
import { endpointConnections } from '../upstream/endpoint-connections.ts'
import { ConnectionPool } from './connection-pool.ts'
import type { Lease } from './endpoint-pool.ts'
import type { Transport, TransportEvents } from './transport.ts'
import { UpstreamError } from './upstream-error.ts'

export class FakeTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  write(): boolean {
    return true
  }
  pause() {}
  resume() {}
  destroy() {
    this.closed = true
    this.events = undefined
  }
  peerClose() {
    this.closed = true
    const events = this.events
    this.events = undefined
    events?.close()
  }
}

/** A dial the test completes by hand: each call waits until resolved or failed. */
export function manualDial() {
  const calls: { resolve: (t: FakeTransport) => void; reject: (e: Error) => void; transport: FakeTransport }[] = []
  const dial = () =>
    new Promise<Transport>((resolve, reject) => {
      const transport = new FakeTransport()
      calls.push({ resolve: () => resolve(transport), reject, transport })
    })
  return { dial, calls }
}

export const target = { key: '10.0.0.1:80', host: '10.0.0.1', port: 80 }
export const otherTarget = { key: '10.0.0.2:80', host: '10.0.0.2', port: 80 }
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

export function setup(limits: Partial<CircuitBreakersConfig> = {}) {
  const store = new StatsStore()
  const stats = store.cluster('c')
  const breakers = new CircuitBreakers({ ...DEFAULTS.circuitBreakers, trackRemaining: true, ...limits }, stats)
  const endpoint = new Endpoint('10.0.0.1', 80)
  const other = new Endpoint('10.0.0.2', 80)
  const connections = endpointConnections(endpoint, stats, breakers)
  const otherConnections = endpointConnections(other, stats, breakers)
  const { dial, calls } = manualDial()
  let now = 0
  const pool = new ConnectionPool({ dial, idleTimeoutMs: 1000, maxIdlePerEndpoint: 10, now: () => now })
  const stat = (name: string) => store.get(`cluster.c.${name}`).value
  // As the client asks: an idle connection at once (reused), else a wait.
  const acquire = (signal = new AbortController().signal, timeoutMs = Infinity): Lease | Promise<Lease> => {
    const idle = pool.takeIdle(target, connections)
    return idle ? { connection: idle, reused: true } : pool.wait(target, connections, timeoutMs, signal)
  }
  return { store, stats, pool, endpoint, other, connections, otherConnections, calls, stat, acquire, advance: (ms: number) => (now += ms) }
}

export async function lease(value: Lease | Promise<Lease>): Promise<Lease> {
  return value instanceof Promise ? await value : value
}

export async function rejection(value: unknown): Promise<UpstreamError> {
  try {
    await value
  } catch (error) {
    if (error instanceof UpstreamError) return error
    throw error
  }
  throw new Error('expected a rejection')
}
