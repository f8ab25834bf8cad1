import { expect, test } from 'bun:test'
import { buildListenerHandler } from './guard.ts'
import { toResponse } from '../upstream/to-response.ts'

const conn = { remoteAddress: '127.0.0.1', remotePort: 1 }

test('passes the request and peer to the proxy handler and returns its answer', async () => {
  const handle = buildListenerHandler(async (request, peer) => new Response(`${request.method} ${peer.remoteAddress}`), () => {})
  expect(await toResponse(await handle(new Request('http://h/'), conn)).text()).toBe('GET 127.0.0.1')
})

test('a bug (thrown or rejected) becomes a logged 500 and the next request is served', async () => {
  const logged: string[] = []
  let calls = 0
  const handle = buildListenerHandler((() => {
    calls++
    if (calls === 1) throw new Error('sync bug')
    if (calls === 2) return Promise.reject(new Error('async bug'))
    return Promise.resolve(new Response('ok'))
  }) as never, (line) => logged.push(line))
  for (const expected of [500, 500, 200]) expect((await handle(new Request('http://h/'), conn)).status).toBe(expected)
  expect(logged.map((line) => line.split('\n')[0])).toEqual(['edgeway: internal error while proxying: Error: sync bug', 'edgeway: internal error while proxying: Error: async bug'])
})
