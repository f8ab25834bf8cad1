// Responses the byte listener's response writer and a bare Bun.serve both write, by name, with the
// request each answers (test/integration/response-writer-differential.test.ts). Imported by the
// test and by the Bun.serve it starts in a process of its own, so both build the very same Response.

import { wholeBodyResponse } from '../../src/upstream/whole-body.ts'

export type ResponseCase = {
  readonly name: string
  readonly method?: string
  readonly version?: 10 | 11
  /** Request fields besides Host, as lines ending in CRLF. */
  readonly fields?: string
  readonly make: () => Response
}

const encoder = new TextEncoder()
const bytes = (text: string) => encoder.encode(text) as Uint8Array<ArrayBuffer>
const BODY_90 = bytes('x'.repeat(89) + '\n')
/** The fields edgeway's path leaves on a small proxied response (the bench upstream's, plus the proxy's). */
const UPSTREAM = { 'content-type': 'text/plain', 'content-length': '90', server: 'edgeway', 'x-envoy-upstream-service-time': '1' }

/** A body arriving a piece at a time (an upstream still sending); `fail`: it breaks after the pieces. */
function arriving(pieces: string[], fail = false): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (i < pieces.length) controller.enqueue(bytes(pieces[i++]!))
        else if (fail) controller.error(new Error('upstream reset'))
        else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
}

/** A body already there: every piece queued, then closed. */
function arrived(pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (controller) => (pieces.forEach((p) => controller.enqueue(bytes(p))), controller.close()) })
}

export const RESPONSE_CASES: readonly ResponseCase[] = [
  { name: 'whole body, edgeway\'s usual fields (90 B)', make: () => wholeBodyResponse(BODY_90, { headers: UPSTREAM }) },
  { name: 'whole body with the upstream\'s Date', make: () => wholeBodyResponse(BODY_90, { headers: { ...UPSTREAM, date: 'Mon, 01 Jan 2001 00:00:00 GMT' } }) },
  { name: 'local reply 503', make: () => new Response('no healthy upstream', { status: 503, headers: { 'content-type': 'text/plain', 'content-length': '19', server: 'edgeway' } }) },
  { name: 'text body without a content-type', make: () => new Response('hello') },
  { name: 'bytes body without a content-type', make: () => new Response(bytes('abc')) },
  { name: 'null body', make: () => new Response(null) },
  { name: 'empty body', make: () => new Response('', { headers: { 'content-type': 'text/plain' } }) },
  { name: 'statusText of its own', make: () => new Response('x', { status: 200, statusText: 'Fine', headers: { 'content-type': 'text/plain' } }) },
  { name: 'status 418', make: () => new Response('x', { status: 418, headers: { 'content-type': 'text/plain' } }) },
  { name: 'status 599 (no standard reason)', make: () => new Response('x', { status: 599, headers: { 'content-type': 'text/plain' } }) },
  { name: 'status 226 (a reason Bun knows)', make: () => new Response(null, { status: 226 }) },
  {
    name: 'set-cookie and repeated fields',
    make: () => {
      const headers = new Headers({ 'content-type': 'text/plain' })
      headers.append('set-cookie', 'a=1')
      headers.append('x-multi', '1')
      headers.append('set-cookie', 'b=2')
      headers.append('x-multi', '2')
      return new Response('x', { headers })
    },
  },
  { name: 'a content-length that lies, whole body', make: () => new Response('hello', { headers: { 'content-type': 'text/plain', 'content-length': '3' } }) },
  { name: 'transfer-encoding on a whole body', make: () => new Response('hello', { headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }) },
  { name: '204', make: () => new Response(null, { status: 204 }) },
  { name: '204 with a content-length and a body', make: () => new Response('body', { status: 204, headers: { 'content-length': '4' } }) },
  { name: '304 with an etag', make: () => new Response(null, { status: 304, headers: { etag: '"e"' } }) },
  { name: '304 with the representation\'s content-length', make: () => new Response(null, { status: 304, headers: { 'content-length': '10' } }) },
  { name: 'HEAD, whole body marked with the upstream\'s length', method: 'HEAD', make: () => wholeBodyResponse(null, { headers: { ...UPSTREAM, 'content-length': '1234' } }) },
  { name: 'HEAD, local reply', method: 'HEAD', make: () => new Response('no healthy upstream', { status: 503, headers: { 'content-type': 'text/plain', 'content-length': '19' } }) },
  { name: 'HEAD, null body', method: 'HEAD', make: () => new Response(null) },
  { name: 'HEAD, body arriving', method: 'HEAD', make: () => new Response(arriving(['ab', 'cd'])) },
  { name: 'HEAD, 204', method: 'HEAD', make: () => new Response(null, { status: 204 }) },
  { name: 'connection: close on the response', make: () => new Response('x', { headers: { 'content-type': 'text/plain', connection: 'close' } }) },
  { name: 'connection: foo, Close on the response', make: () => new Response('x', { headers: { 'content-type': 'text/plain', connection: 'foo, Close' } }) },
  { name: 'connection: keep-alive on the response', make: () => new Response('x', { headers: { 'content-type': 'text/plain', connection: 'keep-alive' } }) },
  { name: 'request with connection: close', fields: 'Connection: close\r\n', make: () => new Response('x', { headers: { 'content-type': 'text/plain' } }) },
  { name: 'HTTP/1.0 request', version: 10, make: () => new Response('x', { headers: { 'content-type': 'text/plain' } }) },
  { name: 'HTTP/1.0 request asking keep-alive', version: 10, fields: 'Connection: keep-alive\r\n', make: () => new Response('x', { headers: { 'content-type': 'text/plain' } }) },
  { name: 'body already there, in pieces', make: () => new Response(arrived(['ab', 'cd'])) },
  { name: 'body arriving, no length', make: () => new Response(arriving(['ab', 'cd', 'ef'])) },
  { name: 'body arriving, with the upstream\'s length', make: () => new Response(arriving(['ab', 'cd', 'ef']), { headers: { 'content-length': '6' } }) },
  { name: 'body arriving on HTTP/1.0', version: 10, make: () => new Response(arriving(['ab', 'cd', 'ef'])) },
  { name: 'body arriving on HTTP/1.0 asking keep-alive', version: 10, fields: 'Connection: keep-alive\r\n', make: () => new Response(arriving(['ab', 'cd'])) },
  { name: 'body breaking after two pieces', make: () => new Response(arriving(['ab', 'cd'], true)) },
  { name: 'body breaking before its first byte', make: () => new Response(arriving([], true)) },
  { name: 'body broken before it is read', make: () => new Response(new ReadableStream<Uint8Array>({ start: (controller) => controller.error(new Error('upstream reset')) })) },
  { name: 'large whole body (40000 B, marked)', make: () => wholeBodyResponse(new Uint8Array(40_000).fill(97), { headers: { 'content-type': 'text/plain', 'content-length': '40000' } }) },
  { name: 'large local body (70000 B)', make: () => new Response(new Uint8Array(70_000).fill(97), { headers: { 'content-type': 'text/plain' } }) },
  { name: 'well-known field names', make: () => new Response('x', { headers: { 'Content-Type': 'text/html', ETag: '"e"', 'cache-control': 'no-cache', vary: 'accept', 'x-custom': '1' } }) },
]
