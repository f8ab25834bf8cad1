import { expect, test } from 'bun:test'
import { drainable, InFlight } from './drain.ts'
import type { ProxyRequest } from '../runtime.ts'

const conn = { remoteAddress: '127.0.0.1', remotePort: 1 }

function setup(handler: (request: ProxyRequest) => Response | Promise<Response>) {
  const inFlight = new InFlight()
  let closing = false
  let drainCloses = 0
  const wrapped = drainable(handler, { inFlight, closeConnections: () => closing, onDrainClose: () => drainCloses++ })
  return { inFlight, wrapped, close: (on: boolean) => void (closing = on), drainCloses: () => drainCloses }
}

test('counts requests in flight until their response is handed over; idle() waits for the last', async () => {
  let release!: () => void
  const { inFlight, wrapped } = setup(() => new Promise((resolve) => (release = () => resolve(new Response('ok')))))
  const pending = wrapped(new Request('http://x/'), conn)
  expect(inFlight.count).toBe(1)
  let idle = false
  void inFlight.idle().then(() => (idle = true))
  await Promise.resolve()
  expect(idle).toBe(false)
  release()
  await pending
  await Promise.resolve()
  expect([inFlight.count, idle]).toEqual([0, true])
})

test('while closing, responses carry connection: close and are counted; not otherwise; not when the client asked to close', async () => {
  const { wrapped, close, drainCloses } = setup(() => new Response('ok'))
  expect((await wrapped(new Request('http://x/'), conn)).headers.get('connection')).toBeNull()
  close(true)
  expect((await wrapped(new Request('http://x/'), conn)).headers.get('connection')).toBe('close')
  expect((await wrapped(new Request('http://x/', { headers: { connection: 'close' } }), conn)).headers.get('connection')).toBeNull()
  expect(drainCloses()).toBe(2)
})

test('immutable response headers are copied, body and status kept', async () => {
  const frozen = Response.redirect('http://elsewhere/', 302) // Response.redirect's headers are immutable
  const { wrapped, close } = setup(() => frozen)
  close(true)
  const response = await wrapped(new Request('http://x/'), conn)
  expect([response.status, response.headers.get('location'), response.headers.get('connection')]).toEqual([302, 'http://elsewhere/', 'close'])
})

test('a handler that throws or rejects leaves the count right', async () => {
  const { inFlight, wrapped } = setup(() => {
    throw new Error('bug')
  })
  expect(() => wrapped(new Request('http://x/'), conn)).toThrow('bug')
  const rejecting = setup(() => Promise.reject(new Error('late bug')))
  await expect(rejecting.wrapped(new Request('http://x/'), conn)).rejects.toThrow('late bug')
  expect([inFlight.count, rejecting.inFlight.count]).toEqual([0, 0])
})
