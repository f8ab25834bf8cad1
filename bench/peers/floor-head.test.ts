import { describe, expect, test } from 'bun:test'
import { concat, headEnd, readRequestHead, WriteQueue } from './scripts/floor-head.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('the floor peers’ request-head reader', () => {
  test('reads wrk’s request: method, target, lower-cased fields in order, the head’s length', () => {
    const text = 'GET /service/1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nX-Id:  a b \r\n\r\nGET /next'
    const head = readRequestHead(bytes(text))
    expect(head).toEqual({ method: 'GET', target: '/service/1', names: ['host', 'x-id'], values: ['127.0.0.1:8000', 'a b'], length: text.indexOf('GET /next') })
  })

  test('waits for the blank line, and gives up on a head past 64 KiB', () => {
    expect(readRequestHead(bytes('GET / HTTP/1.1\r\nHost: a\r\n'))).toBeUndefined()
    expect(readRequestHead(bytes(`GET / HTTP/1.1\r\nx: ${'a'.repeat(70_000)}`))).toBe('bad')
  })

  test('refuses what the floors do not serve: bodies, other versions, fields without a colon', () => {
    expect(readRequestHead(bytes('POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx'))).toBe('bad')
    expect(readRequestHead(bytes('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'))).toBe('bad')
    expect(readRequestHead(bytes('GET / HTTP/1.0\r\n\r\n'))).toBe('bad')
    expect(readRequestHead(bytes('GET / HTTP/1.1\r\nbroken\r\n\r\n'))).toBe('bad')
  })

  test('headEnd finds the blank line from an offset; concat joins', () => {
    const b = concat(bytes('HTTP/1.1 200 OK\r\n'), bytes('a: b\r\n\r\nbody'))
    expect(headEnd(b, 0)).toBe(b.byteLength - 4)
    expect(headEnd(b, b.byteLength - 4)).toBe(-1)
  })
})

describe('WriteQueue', () => {
  test('keeps what the socket did not take and writes it, in order, on drain', () => {
    const sent: number[] = []
    let room = 3
    const socket = { write: (b: Uint8Array) => { const n = Math.min(room, b.byteLength); sent.push(...b.subarray(0, n)); room -= n; return n } }
    const queue = new WriteQueue(socket)
    queue.write(Uint8Array.of(1, 2, 3, 4, 5))
    queue.write(Uint8Array.of(6))
    expect(sent).toEqual([1, 2, 3])
    room = 10
    queue.drain()
    expect(sent).toEqual([1, 2, 3, 4, 5, 6])
    queue.drain()
    expect(sent).toEqual([1, 2, 3, 4, 5, 6])
  })
})
