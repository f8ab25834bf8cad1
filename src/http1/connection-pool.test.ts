import { describe, expect, test } from 'bun:test'
import { DEFAULTS } from '../config/defaults.ts'
import { StatsStore } from '../stats/stats-store.ts'
import { ConnectionPool } from './connection-pool.ts'
import type { Lease } from './endpoint-pool.ts'
import { lease, manualDial, rejection, setup, target, tick } from './pool.fixture.ts'

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

  test('a request that found only a stale idle connection waits in the pool later requests see', async () => {
    const s = setup()
    const first = s.acquire()
    s.calls[0]!.resolve(s.calls[0]!.transport)
    ;(await lease(first)).connection.release()
    s.advance(5000)
    // The stale one is closed, which empties the endpoint's pool; the request waits for a new connection.
    const second = s.acquire()
    expect(s.calls[0]!.transport.closed).toBe(true)
    s.calls[1]!.resolve(s.calls[1]!.transport)
    const fresh = await lease(second)
    fresh.connection.release()
    const third = s.acquire()
    expect(third).not.toBeInstanceOf(Promise)
    expect((third as Lease).connection).toBe(fresh.connection)
  })

  test('the sweeper closes stale idle connections on its own', async () => {
    const store = new StatsStore()
    let now = 0
    const { dial, calls } = manualDial()
    const pool = new ConnectionPool({ dial, idleTimeoutMs: 20, maxIdlePerEndpoint: 10, now: () => now })
    const pending = pool.wait(target, undefined, Infinity, new AbortController().signal)
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
    const a = pool.wait(target, undefined, Infinity, signal)
    const b = pool.wait(target, undefined, Infinity, signal)
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

describe('ConnectionPool.knownTarget', () => {
  test("a URL of the cluster endpoint's own address is known once its pool exists; any other is left to the parser", () => {
    const s = setup()
    expect(s.pool.knownTarget('http://10.0.0.1:80/a', s.connections)).toBeUndefined() // no pool yet
    void s.acquire()
    expect(s.pool.knownTarget('http://10.0.0.1:80/a?b', s.connections)).toBe(target)
    expect(s.pool.knownTarget('http://10.0.0.1:80', s.connections)).toBe(target)
    for (const url of ['https://10.0.0.1:80/a', 'HTTP://10.0.0.1:80/a', 'ws:///10.0.0.1:80/a', 'http://10.0.0.1:8080/a', 'http://10.0.0.1:80@x/a', 'http://10.0.0.2:80/a']) {
      expect(s.pool.knownTarget(url, s.connections)).toBeUndefined()
    }
    expect(s.pool.knownTarget('http://10.0.0.1:80/a', undefined)).toBeUndefined()
  })
})
