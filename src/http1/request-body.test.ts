// How a request body is framed, and whose fields the head is written with: the caller's, or the
// copy that names an encoded body's content type (FramedBody.headers).

import { describe, expect, test } from 'bun:test'
import { createHttp1Client } from './client.ts'
import { frameBody, type FramedBody } from './request-body.ts'
import type { Transport, TransportEvents } from './transport.ts'

class OneAnswer implements Transport {
  events: TransportEvents | undefined
  closed = false
  written = ''
  write(bytes: Uint8Array): boolean {
    this.written += new TextDecoder('latin1').decode(bytes)
    queueMicrotask(() => this.events?.data(new TextEncoder().encode('HTTP/1.1 204 No Content\r\n\r\n')))
    return true
  }
  pause() {}
  resume() {}
  destroy() {
    this.closed = true
  }
}

describe('frameBody', () => {
  test('no body: one shared record, the caller\'s fields; bytes: their length, the caller\'s fields', () => {
    const a = frameBody(new Headers({ a: '1' }), null) as FramedBody
    expect(frameBody(new Headers({ b: '2' }), undefined)).toBe(a)
    expect(a).toEqual({ framing: 'none', bytes: null, stream: null, headers: null })
    expect(Object.isFrozen(a)).toBe(true)
    const bytes = new Uint8Array([1, 2, 3])
    expect(frameBody(new Headers(), bytes)).toEqual({ framing: 3, bytes, stream: null, headers: null })
  })

  test('an encoded body without a content-type field: a copy of the fields that names it, the caller\'s unchanged', async () => {
    const caller = new Headers({ host: 'svc' })
    const framed = await frameBody(caller, new URLSearchParams({ q: 'a b' }))
    expect(framed.headers?.get('content-type')).toStartWith('application/x-www-form-urlencoded')
    expect(framed.headers?.get('host')).toBe('svc')
    expect(caller.has('content-type')).toBe(false)
  })

  test('the client writes the head with the copy\'s fields for an encoded body, the caller\'s otherwise', async () => {
    const transports: OneAnswer[] = []
    const client = createHttp1Client({ dial: async () => (transports.push(new OneAnswer()), transports.at(-1)!) })
    const send = (body: BodyInit | null, method = 'POST') => client.fetch({ url: 'http://10.0.0.1:80/p', method, headers: new Headers({ host: 'svc' }), body, signal: new AbortController().signal })
    expect((await send(new URLSearchParams({ q: '1' }))).status).toBe(204)
    expect(transports[0]!.written).toBe('POST /p HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded;charset=UTF-8\r\nhost: svc\r\ncontent-length: 3\r\n\r\nq=1')
    expect((await send(null, 'GET')).status).toBe(204)
    expect(transports[0]!.written).toEndWith('q=1GET /p HTTP/1.1\r\nhost: svc\r\n\r\n')
    client.close()
  })
})
