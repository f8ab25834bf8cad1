import { describe, expect, test } from 'bun:test'
import { encodeChunk, encodeRequestHead, LAST_CHUNK } from './request-writer.ts'

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes)

describe('request writer', () => {
  test('head: request line, headers as given (host kept), our framing instead of theirs', () => {
    const headers = new Headers({ host: 'service1.example', 'x-name': 'caf\xe9', 'content-length': '99', 'transfer-encoding': 'chunked', connection: 'close' })
    expect(text(encodeRequestHead('POST', '/a?b=1', '10.0.0.1:80', headers, { kind: 'length', length: 3 }))).toBe(
      'POST /a?b=1 HTTP/1.1\r\nhost: service1.example\r\nx-name: caf\xe9\r\ncontent-length: 3\r\n\r\n',
    )
  })

  test('head: host from the endpoint only when none is given; chunked framing; bodiless POST says 0', () => {
    expect(text(encodeRequestHead('GET', '/', '10.0.0.1:8080', new Headers(), { kind: 'none' }))).toBe('GET / HTTP/1.1\r\nhost: 10.0.0.1:8080\r\n\r\n')
    expect(text(encodeRequestHead('PUT', '/', 'h', new Headers({ host: 'h' }), { kind: 'chunked' }))).toBe('PUT / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n')
    expect(text(encodeRequestHead('POST', '/', 'h', new Headers({ host: 'h' }), { kind: 'none' }))).toBe('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n')
  })

  test('chunks: hex size, bytes, CRLF; empty input is no chunk (it would end the body)', () => {
    expect(text(encodeChunk(new Uint8Array(26).fill(97)))).toBe(`1a\r\n${'a'.repeat(26)}\r\n`)
    expect(encodeChunk(new Uint8Array(0)).byteLength).toBe(0)
    expect(text(LAST_CHUNK)).toBe('0\r\n\r\n')
  })
})
