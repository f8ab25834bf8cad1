import { expect, test } from 'bun:test'
import { BodyEnd, reportsBodyEnd } from '../upstream/body-end.ts'
import { marksHopByHopFree } from '../upstream/hop-by-hop-free.ts'
import { wholeBodyOf, wholeBodyResponse } from '../upstream/whole-body.ts'
import { proxyFixture } from './proxy.fixture.ts'
import { toResponse } from '../upstream/to-response.ts'

test('a response the upstream client built with its whole body is handed on itself: headers cleaned in place, bytes counted', async () => {
  let sent: Response | undefined
  const f = proxyFixture({
    upstream: () => (sent = wholeBodyResponse(new TextEncoder().encode('hello'), { headers: { 'content-length': '5', connection: 'x-hop', 'x-hop': '1', server: 'gunicorn' } })),
  })
  const response = await f.handle()
  expect(response).toBe(sent!)
  expect([response.headers.has('x-hop'), response.headers.has('connection'), response.headers.get('server'), response.headers.has('x-envoy-upstream-service-time')]).toEqual([false, false, 'edgeway', true])
  expect(await toResponse(response).text()).toBe('hello')
  expect(f.logged[0]).toMatchObject({ status: 200, bytesSent: 5 })
})

test('a whole-body response marked free of hop-by-hop fields goes on with its fields as they are, plus the proxy\'s own', async () => {
  const f = proxyFixture({
    upstream: () => {
      const response = wholeBodyResponse(new TextEncoder().encode('hello'), { headers: { 'content-length': '5', 'x-app': '1', server: 'gunicorn' } })
      marksHopByHopFree(response)
      return response
    },
  })
  const response = await f.handle()
  expect(Object.fromEntries(response.headers)).toMatchObject({ 'content-length': '5', 'x-app': '1', server: 'edgeway' })
  expect(response.headers.has('x-envoy-upstream-service-time')).toBe(true)
  expect(await toResponse(response).text()).toBe('hello')
})

test('any other response is read and answered with a new one', async () => {
  let sent: Response | undefined
  const f = proxyFixture({ upstream: () => (sent = new Response('hello', { headers: { 'content-length': '5' } })) })
  const response = await f.handle()
  expect(response).not.toBe(sent!)
  expect(await toResponse(response).text()).toBe('hello')
  expect(f.logged[0]).toMatchObject({ bytesSent: 5 })
})

test('wholeBodyOf knows only unread responses made by wholeBodyResponse; no body counts as empty', async () => {
  expect(wholeBodyOf(new Response('x'))).toBeUndefined()
  expect(wholeBodyOf(wholeBodyResponse(null, { status: 204 }))!.byteLength).toBe(0)
  const read = wholeBodyResponse(new TextEncoder().encode('abc'), {})
  expect(wholeBodyOf(read)!.byteLength).toBe(3)
  await toResponse(read).text()
  expect(wholeBodyOf(read)).toBeUndefined()
})

test('a streamed response whose end the client reports is handed on itself; the end (or a reset) closes the request', async () => {
  for (const failure of [undefined, new Error('reset')]) {
    const end = new BodyEnd()
    let sent: Response | undefined
    const f = proxyFixture({
      upstream: () => {
        sent = new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('x'.repeat(100_000))) }), { headers: { 'content-length': '200000' } })
        reportsBodyEnd(sent, end)
        return sent
      },
    })
    const response = await f.handle()
    expect(response).toBe(sent!)
    expect(f.logged).toHaveLength(0)
    end.bytes = 100_000
    end.end(failure, false)
    expect(f.logged[0]).toMatchObject({ bytesSent: 100_000, flags: failure ? 'UR' : '' })
    expect(f.clock.pending()).toBe(0)
  }
})
