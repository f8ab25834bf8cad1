import { describe, expect, test } from 'bun:test'
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

class FakeTransport implements Transport {
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
function manualDial() {
  const calls: { resolve: (t: FakeTransport) => void; reject: (e: Error) => void; transport: FakeTransport }[] = []
  const dial = () =>
    new Promise<Transport>((resolve, reject) => {
      const transport = new FakeTransport()
      calls.push({ resolve: () => resolve(transport), reject, transport })
    })
  return { dial, calls }
}

const target = { key: '10.0.0.1:80', host: '10.0.0.1', port: 80 }
const otherTarget = { key: '10.0.0.2:80', host: '10.0.0.2', port: 80 }
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

function setup(limits: Partial<CircuitBreakersConfig> = {}) {
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
  const acquire = (signal = new AbortController().signal, timeoutMs = Infinity) => pool.acquire(target, connections, timeoutMs, signal)
  return { store, stats, pool, endpoint, other, connections, otherConnections, calls, stat, acquire, advance: (ms: number) => (now += ms) }
}

async function lease(value: Lease | Promise<Lease>): Promise<Lease> {
  return value instanceof Promise ? await value : value
}

async function rejection(value: unknown): Promise<UpstreamError> {
  try {
    await value
  } catch (error) {
    if (error instanceof UpstreamError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('ConnectionPool: connections and their stats', () => {
  test('a cold request waits (pending) for a new connection; a released one is reused without a new connect', async () => {
    const s = setup()
    const first = s.acquire()
    expect(first).toBeInstanceOf(Promise)
    expect(s.stat('upstream_rq_pending_total')).toBe(1)
    expect(s.stat('upstream_rq_pending_active')).toBe(1)
    expect(s.stat('upstream_cx_total')).toBe(1)
    expect(s.stat('upstream_cx_http1_total')).toBe(1)
    expect(s.stat('upstream_cx_active')).toBe(1)
    s.advance(7)
    s.calls[0]!.resolve(s.calls[0]!.transport)
    const got = await lease(first)
    expect(got.reused).toBe(false)
    expect(s.stat('upstream_rq_pending_active')).toBe(0)
    expect(s.stats.upstream_cx_connect_ms.cumulative.sample().count).toBe(1)
    got.connection.release()
    expect(s.pool.idleCount('10.0.0.1:80')).toBe(1)
    const second = s.acquire()
    expect(second).not.toBeInstanceOf(Promise)
    expect((second as Lease).reused).toBe(true)
    expect((second as Lease).connection).toBe(got.connection)
    expect(s.stat('upstream_cx_total')).toBe(1)
    expect(s.stat('upstream_rq_pending_total')).toBe(1)
    expect(s.endpoint.cxTotal).toBe(1)
    expect(s.endpoint.cxActive).toBe(1)
  })

  test('bytes written and received are counted', async () => {
    const s = setup()
    const pending = s.acquire()
    s.calls[0]!.resolve(s.calls[0]!.transport)
    const { connection } = await lease(pending)
    connection.events = { data: () => {}, drain: () => {}, close: () => {} }
    connection.write(new Uint8Array(10))
    s.calls[0]!.transport.events!.data(new Uint8Array(25))
    expect(s.stat('upstream_cx_tx_bytes_total')).toBe(10)
    expect(s.stat('upstream_cx_rx_bytes_total')).toBe(25)
  })

  test('a remote close and a local destroy are told apart, with or without a request on the connection', async () => {
    const s = setup()
    const a = s.acquire()
    const b = s.acquire()
    s.calls[0]!.resolve(s.calls[0]!.transport)
    s.calls[1]!.resolve(s.calls[1]!.transport)
    const [first, second] = [await lease(a), await lease(b)]
    first.connection.release()
    s.advance(40)
    s.calls[0]!.transport.peerClose()
    expect(s.stat('upstream_cx_destroy')).toBe(1)
    expect(s.stat('upstream_cx_destroy_remote')).toBe(1)
    expect(s.stat('upstream_cx_destroy_with_active_rq')).toBe(0)
    expect(s.pool.idleCount()).toBe(0)
    second.connection.destroy()
    expect(s.stat('upstream_cx_destroy')).toBe(2)
    expect(s.stat('upstream_cx_destroy_local')).toBe(1)
    expect(s.stat('upstream_cx_destroy_local_with_active_rq')).toBe(1)
    expect(s.stat('upstream_cx_active')).toBe(0)
    expect(s.endpoint.cxActive).toBe(0)
    const lengths = s.stats.upstream_cx_length_ms.cumulative.sample()
    expect(lengths.count).toBe(2)
    expect(s.stat('circuit_breakers.default.remaining_cx')).toBe(DEFAULTS.circuitBreakers.maxConnections)
  })

  test('a refused connect fails every waiting request and counts connect_fail and a remote destroy', async () => {
    const s = setup({ maxConnections: 1 })
    const a = rejection(s.acquire())
    const b = rejection(s.acquire())
    expect(s.calls).toHaveLength(1)
    s.calls[0]!.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
    const [ea, eb] = [await a, await b]
    expect(ea.failure).toBe('connect')
    expect(eb.failure).toBe('connect')
    expect(s.stat('upstream_cx_connect_fail')).toBe(1)
    expect(s.endpoint.cxConnectFail).toBe(1)
    expect(s.stat('upstream_cx_destroy_remote')).toBe(1)
    expect(s.stat('upstream_cx_connect_timeout')).toBe(0)
    expect(s.stat('upstream_cx_active')).toBe(0)
    expect(s.stat('upstream_rq_pending_active')).toBe(0)
    expect(s.stat('upstream_rq_pending_failure_eject')).toBe(2)
    expect(s.stat('circuit_breakers.default.cx_open')).toBe(0)
  })

  test('a connect that outlasts connect_timeout is a local close, counted as connect_timeout and connect_fail', async () => {
    const s = setup()
    const error = await rejection(s.acquire(new AbortController().signal, 10))
    expect(error.code).toBe('ConnectTimeout')
    expect(s.stat('upstream_cx_connect_timeout')).toBe(1)
    expect(s.stat('upstream_cx_connect_fail')).toBe(1)
    expect(s.stat('upstream_cx_destroy_local')).toBe(1)
    expect(s.stat('upstream_cx_active')).toBe(0)
    // The late connection is closed unused and counted nowhere else.
    s.calls[0]!.resolve(s.calls[0]!.transport)
    await tick()
    expect(s.calls[0]!.transport.closed).toBe(true)
    expect(s.stat('upstream_cx_total')).toBe(1)
  })
})

describe('ConnectionPool: circuit breakers', () => {
  test('max_connections: a second request waits for the first one\'s connection instead of opening another', async () => {
    const s = setup({ maxConnections: 1 })
    const a = s.acquire()
    const b = s.acquire()
    expect(s.calls).toHaveLength(1)
    expect(s.stat('upstream_cx_overflow')).toBe(1)
    expect(s.stat('circuit_breakers.default.cx_open')).toBe(1)
    expect(s.stat('circuit_breakers.default.remaining_cx')).toBe(0)
    expect(s.stat('upstream_rq_pending_active')).toBe(2)
    s.calls[0]!.resolve(s.calls[0]!.transport)
    const first = await lease(a)
    expect(s.stat('upstream_rq_pending_active')).toBe(1)
    let served: Lease | undefined
    void lease(b).then((l) => (served = l))
    await tick()
    expect(served).toBeUndefined()
    first.connection.release()
    await tick()
    expect(served?.connection).toBe(first.connection)
    expect(served?.reused).toBe(true)
    expect(s.stat('upstream_rq_pending_active')).toBe(0)
    expect(s.stat('upstream_rq_pending_total')).toBe(2)
    expect(s.stat('upstream_cx_total')).toBe(1)
  })

  test('max_connections: a lost connection is replaced for the requests still waiting', async () => {
    const s = setup({ maxConnections: 1 })
    const a = s.acquire()
    const b = s.acquire()
    s.calls[0]!.resolve(s.calls[0]!.transport)
    const first = await lease(a)
    first.connection.destroy()
    expect(s.calls).toHaveLength(2)
    s.calls[1]!.resolve(s.calls[1]!.transport)
    const second = await lease(b)
    expect(second.reused).toBe(false)
    expect(s.stat('upstream_cx_total')).toBe(2)
  })

  test('max_connections is the cluster\'s, yet an endpoint with no connection may always open one (as Envoy)', async () => {
    const s = setup({ maxConnections: 1 })
    void s.acquire()
    const other = s.pool.acquire(otherTarget, s.otherConnections, Infinity, new AbortController().signal)
    expect(s.calls).toHaveLength(2)
    expect(s.stat('upstream_cx_overflow')).toBe(1)
    expect(s.stat('upstream_cx_active')).toBe(2)
    s.calls[1]!.resolve(s.calls[1]!.transport)
    expect((await lease(other)).reused).toBe(false)
  })

  test('max_pending_requests: past the limit a request overflows at once; 0 refuses any wait', async () => {
    const s = setup({ maxConnections: 1, maxPendingRequests: 1 })
    void s.acquire()
    const overflow = await rejection(s.acquire())
    expect(overflow.failure).toBe('overflow')
    expect(s.stat('upstream_rq_pending_overflow')).toBe(1)
    expect(s.stat('circuit_breakers.default.rq_pending_open')).toBe(1)
    expect(s.stat('upstream_rq_pending_total')).toBe(1)

    const none = setup({ maxPendingRequests: 0 })
    expect((await rejection(none.acquire())).failure).toBe('overflow')
    expect(none.calls).toHaveLength(0)
    expect(none.stat('upstream_rq_pending_overflow')).toBe(1)
    expect(none.stat('upstream_cx_total')).toBe(0)
  })

  test('a waiting request whose client leaves is cancelled; the connect goes on for the next one', async () => {
    const s = setup()
    const controller = new AbortController()
    const gone = s.acquire(controller.signal)
    controller.abort(new Error('client left'))
    await expect(gone).rejects.toThrow('client left')
    expect(s.stat('upstream_rq_cancelled')).toBe(1)
    expect(s.stat('upstream_rq_pending_active')).toBe(0)
    s.calls[0]!.resolve(s.calls[0]!.transport)
    await tick()
    expect(s.pool.idleCount()).toBe(1)
    expect((s.acquire() as Lease).reused).toBe(true)
  })
})

describe('ConnectionPool: idle connections', () => {
  test('idle connections past the timeout are closed instead of handed out, newest first otherwise', async () => {
    const s = setup()
    const a = s.acquire()
    const b = s.acquire()
    s.calls[0]!.resolve(s.calls[0]!.transport)
    s.calls[1]!.resolve(s.calls[1]!.transport)
    const [old, fresh] = [await lease(a), await lease(b)]
    old.connection.release()
    s.advance(500)
    fresh.connection.release()
    s.advance(700)
    expect((s.acquire() as Lease).connection).toBe(fresh.connection)
    expect(s.acquire()).toBeInstanceOf(Promise)
    expect(s.calls[0]!.transport.closed).toBe(true)
    expect(s.stat('upstream_cx_destroy_local')).toBe(1)
    s.pool.closeAll()
  })

  test('the sweeper closes stale idle connections on its own', async () => {
    const store = new StatsStore()
    let now = 0
    const { dial, calls } = manualDial()
    const pool = new ConnectionPool({ dial, idleTimeoutMs: 20, maxIdlePerEndpoint: 10, now: () => now })
    const pending = pool.acquire(target, undefined, Infinity, new AbortController().signal)
    calls[0]!.resolve(calls[0]!.transport)
    ;(await lease(pending)).connection.release()
    now = 100
    await Bun.sleep(80)
    expect(calls[0]!.transport.closed).toBe(true)
    expect(pool.idleCount()).toBe(0)
    expect(store.all()).toHaveLength(0)
  })

  test('over maxIdlePerEndpoint a released connection is closed; a byte while idle closes it too', async () => {
    const { dial, calls } = manualDial()
    const pool = new ConnectionPool({ dial, idleTimeoutMs: 1000, maxIdlePerEndpoint: 1, now: () => 0 })
    const signal = new AbortController().signal
    const a = pool.acquire(target, undefined, Infinity, signal)
    const b = pool.acquire(target, undefined, Infinity, signal)
    calls[0]!.resolve(calls[0]!.transport)
    calls[1]!.resolve(calls[1]!.transport)
    const [first, second] = [await lease(a), await lease(b)]
    first.connection.release()
    second.connection.release()
    expect(calls[1]!.transport.closed).toBe(true)
    expect(pool.idleCount()).toBe(1)
    calls[0]!.transport.events!.data(new Uint8Array([72]))
    expect(calls[0]!.transport.closed).toBe(true)
    expect(pool.idleCount()).toBe(0)
    pool.closeAll()
  })
})
