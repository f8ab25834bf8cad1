// The upstream and the collector are plain fetch handlers: tested by calling them, no socket.
import { describe, expect, test } from 'bun:test'
import collector from './collector.ts'
import upstream from './upstream.ts'

describe('upstream', () => {
  test('90 bytes under /service/1, 1 MiB on /service/1/big, 404 elsewhere', async () => {
    const small = upstream.fetch(new Request('http://x/service/1'))
    expect((await small.arrayBuffer()).byteLength).toBe(90)
    const big = upstream.fetch(new Request('http://x/service/1/big'))
    expect((await big.arrayBuffer()).byteLength).toBe(1024 * 1024)
    expect(upstream.fetch(new Request('http://x/other')).status).toBe(404)
  })
})

describe('collector', () => {
  test('counts spans per service, answers 202', async () => {
    const post = (spans: unknown) => collector.fetch(new Request('http://x/api/v2/spans', { method: 'POST', body: JSON.stringify(spans) }))
    expect((await post([{ localEndpoint: { serviceName: 'a' } }, { localEndpoint: { serviceName: 'a' } }])).status).toBe(202)
    expect((await post([{ localEndpoint: { serviceName: 'b' } }])).status).toBe(202)
    expect((await post({ not: 'an array' })).status).toBe(400)
    const counts = await (await collector.fetch(new Request('http://x/counts'))).json()
    expect(counts).toEqual({ a: 2, b: 1 })
  })
})
