import { describe, expect, test } from 'bun:test'
import { HeaderSnapshot } from '../../src/http1/header-snapshot.ts'
import { ConnectionPool } from '../../src/http1/connection-pool.ts'
import type { Transport, TransportEvents } from '../../src/http1/transport.ts'
import { earlyBody, LightExchange } from './scripts/floor-light-exchange.ts'
import { LightRequestHead, readLightHead } from './scripts/floor-light-head.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b))

describe('the light floor’s request-head reader', () => {
  test('one flat array of lower-cased fields in order, Host noted, the head’s length', () => {
    const raw = 'GET /service/1?a=b HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nX-Id:  a b \r\nAccept: */*\r\n\r\nGET /next'
    const head = readLightHead(bytes(raw), new LightRequestHead())
    if (!head || head === 'bad') throw new Error('no head')
    expect([head.method, head.target, head.host, head.length]).toEqual(['GET', '/service/1?a=b', '127.0.0.1:8000', raw.indexOf('GET /next')])
    expect(head.fields).toEqual(['host', '127.0.0.1:8000', 'x-id', 'a b', 'accept', '*/*'])
    expect([head.close, head.hopByHop]).toEqual([false, false])
  })

  test('a reused record holds the next head only; Connection: close and hop-by-hop fields noted', () => {
    const record = new LightRequestHead()
    readLightHead(bytes('GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n'), record)
    readLightHead(bytes('GET /x HTTP/1.1\r\nHost: b\r\nConnection: keep-alive, Close\r\n\r\n'), record)
    expect(record.fields).toEqual(['host', 'b', 'connection', 'keep-alive, Close'])
    expect([record.close, record.hopByHop]).toEqual([true, true])
    readLightHead(bytes('GET /x HTTP/1.1\r\nHost: b\r\nTE: trailers\r\n\r\n'), record)
    expect([record.close, record.hopByHop]).toEqual([false, true])
  })

  test('waits for the blank line; refuses bodies, other versions, bad names, two Hosts, a head past 64 KiB', () => {
    const read = (raw: string) => readLightHead(bytes(raw), new LightRequestHead())
    expect(read('GET / HTTP/1.1\r\nHost: a\r\n')).toBeUndefined()
    expect(read(`GET / HTTP/1.1\r\nx: ${'a'.repeat(70_000)}`)).toBe('bad')
    expect(read('POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx')).toBe('bad')
    expect(read('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')).toBe('bad')
    expect(read('GET / HTTP/1.0\r\n\r\n')).toBe('bad')
    expect(read('GET / HTTP/1.1 \r\n\r\n')).toBe('bad')
    expect(read('GET / HTTP/1.1\r\nbad name: x\r\n\r\n')).toBe('bad')
    expect(read('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).toBe('bad')
  })

  test('its forEach feeds the proxy’s HeaderSnapshot, which edits as Headers would', () => {
    const head = readLightHead(bytes('GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: wrk\r\n\r\n'), new LightRequestHead()) as LightRequestHead
    const headers = new HeaderSnapshot(head as unknown as Headers)
    headers.set('x-request-id', 'id-1')
    const seen: string[] = []
    headers.forEach((value, name) => seen.push(`${name}=${value}`))
    expect(seen).toEqual(['host=a', 'user-agent=wrk', 'x-request-id=id-1'])
  })
})

/** A connection answering each request written with the next of `answers`, one piece a macrotask (or a close when none is left). */
class ScriptedTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  paused = false
  readonly written: string[] = []
  constructor(private readonly answers: string[][]) {}
  write(b: Uint8Array): boolean {
    this.written.push(text(b)!)
    const pieces = this.answers.shift()
    const next = (i: number) => {
      if (!pieces) return this.events?.close()
      if (i === pieces.length) return
      this.events?.data(bytes(pieces[i]!))
      setTimeout(() => next(i + 1), 0)
    }
    queueMicrotask(() => next(0))
    return true
  }
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
  }
  destroy(): void {
    this.closed = true
  }
}

const endpoint = { key: '127.0.0.1:9', host: '127.0.0.1', port: 9 }
const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: up\r\nContent-Length: 5\r\n\r\n'

function poolOf(transports: ScriptedTransport[]) {
  return new ConnectionPool({ dial: () => Promise.resolve(transports.shift()!), idleTimeoutMs: 4_000, maxIdlePerEndpoint: 8, now: () => 0 })
}

describe('the light floor’s exchange: the client’s pool and reader without a Response', () => {
  test('a whole small response: status, its own copy of the fields, the body; the connection and its reader reused', async () => {
    const transport = new ScriptedTransport([[`${OK}hello`], [OK, 'wor', 'ld']])
    const pool = poolOf([transport])
    const first = await new LightExchange(pool, endpoint, 'GET', bytes('GET /a HTTP/1.1\r\n\r\n')).send()
    expect([first.status, first.statusText, first.length, first.done, first.keepAlive, first.hopByHop]).toEqual([200, 'OK', 5, true, true, false])
    expect(first.fields).toEqual(['content-type', 'text/plain', 'server', 'up', 'content-length', '5'])
    expect(text(earlyBody(first))).toBe('hello')
    expect(pool.idleCount()).toBe(1)
    // The second head arrives alone: the body comes to the sink set after the hand-over.
    const second = await new LightExchange(pool, endpoint, 'GET', bytes('GET /b HTTP/1.1\r\n\r\n')).send()
    expect(first.fields[3]).toBe('up') // not overwritten by the reader's next head
    expect(second.done).toBe(false)
    const pieces: string[] = []
    await new Promise<void>((end) => {
      second.sink = { chunk: (b) => (pieces.push(text(b)!), false), end, fail: end }
    })
    expect(pieces).toEqual(['wor', 'ld'])
    expect(transport.paused).toBe(true) // the sink said it was full
    expect(transport.written).toEqual(['GET /a HTTP/1.1\r\n\r\n', 'GET /b HTTP/1.1\r\n\r\n'])
  })

  test('a reused connection that closes before any byte: sent once more on a fresh one', async () => {
    const stale = new ScriptedTransport([[`${OK}hello`]])
    const fresh = new ScriptedTransport([[`${OK}again`]])
    const pool = poolOf([stale, fresh])
    await new LightExchange(pool, endpoint, 'GET', bytes('GET / HTTP/1.1\r\n\r\n')).send()
    const again = await new LightExchange(pool, endpoint, 'GET', bytes('GET / HTTP/1.1\r\n\r\n')).send()
    expect(text(earlyBody(again))).toBe('again')
    expect([stale.written.length, fresh.written.length]).toEqual([2, 1])
  })

  test('a malformed head rejects, and the connection is not reused', async () => {
    const transport = new ScriptedTransport([['HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx']])
    const pool = poolOf([transport])
    await expect(new LightExchange(pool, endpoint, 'GET', bytes('GET / HTTP/1.1\r\n\r\n')).send()).rejects.toThrow('content-length')
    expect([transport.closed, pool.idleCount()]).toEqual([true, 0])
  })
})
