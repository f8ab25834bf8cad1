import { describe, expect, test } from 'bun:test'
import { declaresBody, framingError, framingErrorOf } from './request-framing.ts'

const h = (entries: [string, string][]) => {
  const headers = new Headers()
  for (const [name, value] of entries) headers.append(name, value)
  return headers
}

describe('framingError', () => {
  test('one plain length or one chunked coding passes', () => {
    expect(framingError(h([['content-length', '3']]))).toBeUndefined()
    expect(framingError(h([['content-length', '003']]))).toBeUndefined()
    expect(framingError(h([['transfer-encoding', 'Chunked']]))).toBeUndefined()
    expect(framingError(h([]))).toBeUndefined()
  })

  test('duplicate Content-Length, even with equal values, is refused', () => {
    expect(framingError(h([['content-length', '3'], ['content-length', '3']]))?.why).toBe('more than one Content-Length')
    expect(framingError(h([['content-length', '3, 3']]))?.code).toBe('http1.content_length_not_allowed')
    expect(framingError(h([['content-length', '3,4']]))).toBeDefined()
  })

  test('non-numeric, signed or absurd lengths are refused', () => {
    for (const value of ['-1', '+3', '0x10', '3 4', '', '1e3', '9999999999999999']) expect(framingError(h([['content-length', value]]))).toBeDefined()
  })

  test('Content-Length with Transfer-Encoding, and any coding but chunked, are refused', () => {
    expect(framingError(h([['content-length', '3'], ['transfer-encoding', 'chunked']]))?.code).toBe('http1.content_length_and_chunked_not_allowed')
    for (const coding of ['gzip', 'chunked, gzip', 'gzip, chunked', 'chunked, chunked', 'identity', 'xchunked'])
      expect(framingError(h([['transfer-encoding', coding]]))?.code).toBe('http1.invalid_transfer_encoding')
  })
})

describe('framingErrorOf', () => {
  test('any Transfer-Encoding on HTTP/1.0 is faulty framing, chunked too; a length is not', () => {
    expect(framingErrorOf(null, 'chunked', true)?.why).toBe('Transfer-Encoding on HTTP/1.0')
    expect(framingErrorOf(null, 'chunked', false)).toBeUndefined()
    expect(framingErrorOf('3', null, true)).toBeUndefined()
  })
})

describe('declaresBody', () => {
  test('only a positive length or a chunked coding means a body', () => {
    expect(declaresBody(h([]))).toBe(false)
    expect(declaresBody(h([['content-length', '0']]))).toBe(false)
    expect(declaresBody(h([['content-length', '000']]))).toBe(false)
    expect(declaresBody(h([['content-length', '5']]))).toBe(true)
    expect(declaresBody(h([['transfer-encoding', 'chunked']]))).toBe(true)
  })
})
