import { describe, expect, test } from 'bun:test'
import { gzipSync } from 'node:zlib'
import { readSpanBody } from './request-body.ts'

const CAP = 1024 * 1024

/** A body delivered in network-sized pieces, counting how much of it was pulled. */
function chunked(bytes: Uint8Array, size = 16 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let offset = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
  return { stream, pulled: () => Math.min(offset, bytes.byteLength) }
}

const post = (body: BodyInit | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://store/api/v2/spans', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, duplex: 'half' } as RequestInit)

describe('readSpanBody', () => {
  test('gzip, also of several members, is inflated', async () => {
    const body = Buffer.concat([gzipSync('[{"traceId":'), gzipSync('"a"}]')])
    expect(await readSpanBody(post(body, { 'content-encoding': 'gzip' }), CAP)).toEqual({ ok: true, text: '[{"traceId":"a"}]' })
    expect(await readSpanBody(post('[]'), CAP)).toEqual({ ok: true, text: '[]' })
  })

  test('a gzip bomb stops at the cap with 413, long before the end of the input', async () => {
    // 64 members of 1 MiB of zeros each: 64 KiB that inflate to 64 MiB.
    const bomb = Buffer.concat(Array(64).fill(gzipSync(Buffer.alloc(1024 * 1024))))
    const { stream, pulled } = chunked(bomb, 1024)
    const result = await readSpanBody(post(stream, { 'content-encoding': 'gzip' }), CAP)
    expect(result).toEqual({ ok: false, status: 413, reason: `decompressed body exceeds ${CAP} bytes` })
    expect(pulled()).toBeLessThan(bomb.byteLength / 4)
  })

  test('inflated exactly to the cap is accepted; one byte more is not', async () => {
    const exact = gzipSync(Buffer.alloc(CAP, 0x20))
    expect(await readSpanBody(post(exact, { 'content-encoding': 'gzip' }), CAP)).toMatchObject({ ok: true })
    expect(await readSpanBody(post(gzipSync(Buffer.alloc(CAP + 1, 0x20)), { 'content-encoding': 'gzip' }), CAP)).toMatchObject({ status: 413 })
  })

  test('a raw body past the cap is refused as it streams, or at once from its content-length', async () => {
    const { stream, pulled } = chunked(new Uint8Array(CAP * 8))
    expect(await readSpanBody(post(stream), CAP)).toEqual({ ok: false, status: 413, reason: `body exceeds ${CAP} bytes` })
    expect(pulled()).toBeLessThanOrEqual(CAP + 64 * 1024)
    const declared = new Request('http://store/api/v2/spans', { method: 'POST', headers: { 'content-length': String(CAP + 1) }, body: 'x' })
    expect(await readSpanBody(declared, CAP)).toMatchObject({ status: 413 })
    const gzipped = chunked(gzipSync(new Uint8Array(CAP * 4).map(() => Math.floor(Math.random() * 256))))
    expect(await readSpanBody(post(gzipped.stream, { 'content-encoding': 'gzip' }), CAP)).toMatchObject({ status: 413 })
  })

  test('not gzip, or cut short: 400; other encodings and protobuf: 415', async () => {
    expect(await readSpanBody(post('plain text', { 'content-encoding': 'gzip' }), CAP)).toEqual({ ok: false, status: 400, reason: 'body is not valid gzip' })
    expect(await readSpanBody(post(gzipSync('[1,2,3]').subarray(0, 12), { 'content-encoding': 'gzip' }), CAP)).toMatchObject({ status: 400 })
    expect(await readSpanBody(post('x', { 'content-encoding': 'br' }), CAP)).toMatchObject({ status: 415 })
    expect(await readSpanBody(post('x', { 'content-type': 'application/x-protobuf' }), CAP)).toMatchObject({ status: 415 })
  })
})
