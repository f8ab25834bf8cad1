import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../errors.ts'
import { prepareBody, type PreparedBody } from './request-body.ts'

const limits = { maxBytes: 0, bufferBytes: 1024, mayRetry: false }

function post(body: ReadableStream<Uint8Array> | string | null, headers: Record<string, string> = {}): Request {
  return new Request('http://x/a', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
}

async function sent(prepared: PreparedBody | ProxyError): Promise<string | null> {
  if (prepared instanceof ProxyError) throw prepared
  const body = prepared.body()
  return body === null ? null : new Response(body).text()
}

describe('prepareBody', () => {
  test('no Content-Length, no Transfer-Encoding and an empty stream (Deno, HTTP/1.1): no body at all', async () => {
    const request = post(streamOf())
    request.headers.delete('content-length')
    expect(await sent(await prepareBody(request, limits))).toBeNull()
  })

  test('no Content-Length, no Transfer-Encoding but data (HTTP/2): streamed whole, first chunk included', async () => {
    const request = post(streamOf('he', 'llo'))
    expect(request.headers.get('content-length')).toBeNull()
    expect(await sent(await prepareBody(request, limits))).toBe('hello')
  })

  test('Content-Length: 0 sends nothing', async () => {
    expect(await sent(await prepareBody(post('', { 'content-length': '0' }), limits))).toBeNull()
  })

  test('a body the client breaks is reported as the downstream\'s failure, not sent as empty', async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('client gone'))
      },
    })
    const prepared = await prepareBody(post(broken), limits)
    expect(prepared).toBeInstanceOf(ProxyError)
    expect((prepared as ProxyError).status).toBe(400)
  })

  test('a chunked body over max_request_bytes fails its stream with 413 and remembers it', async () => {
    const prepared = (await prepareBody(post(streamOf('x'.repeat(600), 'y'.repeat(600)), { 'transfer-encoding': 'chunked' }), { ...limits, maxBytes: 1000 })) as PreparedBody
    await expect(new Response(prepared.body()).text()).rejects.toBeDefined()
    expect(prepared.downstreamError()?.status).toBe(413)
  })
})
