import { describe, expect, test } from 'bun:test'
import { ConnectionPool } from './connection-pool.ts'

class FakeConnection {
  closed = false
  constructor(readonly name: string) {}
  close() {
    this.closed = true
  }
}

describe('ConnectionPool', () => {
  test('LIFO per endpoint key; other keys are separate', () => {
    const pool = new ConnectionPool<FakeConnection>({ idleTimeoutMs: 1000, maxIdlePerKey: 10, now: () => 0 })
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new FakeConnection(n))
    pool.release('e1', a!)
    pool.release('e1', b!)
    pool.release('e2', c!)
    expect(pool.acquire('e1')).toBe(b!)
    expect(pool.acquire('e1')).toBe(a!)
    expect(pool.acquire('e1')).toBeUndefined()
    expect(pool.acquire('e2')).toBe(c!)
    pool.closeAll()
  })

  test('connections idle past the timeout are closed instead of handed out', () => {
    let now = 0
    const pool = new ConnectionPool<FakeConnection>({ idleTimeoutMs: 1000, maxIdlePerKey: 10, now: () => now })
    const old = new FakeConnection('old')
    pool.release('e', old)
    now = 500
    const fresh = new FakeConnection('fresh')
    pool.release('e', fresh)
    now = 1200
    expect(pool.acquire('e')).toBe(fresh)
    expect(pool.acquire('e')).toBeUndefined()
    expect(old.closed).toBe(true)
    pool.closeAll()
  })

  test('the sweeper closes stale idle connections on its own', async () => {
    let now = 0
    const pool = new ConnectionPool<FakeConnection>({ idleTimeoutMs: 20, maxIdlePerKey: 10, now: () => now })
    const conn = new FakeConnection('x')
    pool.release('e', conn)
    now = 100
    await Bun.sleep(80)
    expect(conn.closed).toBe(true)
    expect(pool.idleCount()).toBe(0)
  })

  test('over maxIdlePerKey a released connection is closed; remove() forgets one', () => {
    const pool = new ConnectionPool<FakeConnection>({ idleTimeoutMs: 1000, maxIdlePerKey: 1, now: () => 0 })
    const [a, b] = [new FakeConnection('a'), new FakeConnection('b')]
    pool.release('e', a)
    pool.release('e', b)
    expect(b.closed).toBe(true)
    expect(pool.remove('e', a)).toBe(true)
    expect(pool.remove('e', a)).toBe(false)
    expect(pool.idleCount('e')).toBe(0)
    pool.closeAll()
  })
})
