// The upstream and the collector are plain fetch handlers: tested by calling them, no socket.
import { describe, expect, test } from 'bun:test'
import collector, { scanServices } from './collector.ts'
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

  test('the key scan counts what a full parse counts, and gives way to it when it cannot be sure', () => {
    const scan = (spans: unknown) => scanServices(Buffer.from(JSON.stringify(spans)))
    const span = (service: string, tags: Record<string, string> = {}) => ({ traceId: '1', id: '2', name: 'n', localEndpoint: { serviceName: service }, remoteEndpoint: { serviceName: 'up' }, tags })
    expect(scan([span('a'), span('b'), span('a')])).toEqual(new Map([['a', 2], ['b', 1]]))
    // the keys' text inside a tag value is escaped, so it is not counted
    expect(scan([span('a', { note: '"localEndpoint":{"serviceName":"x"} "traceId":' })])).toEqual(new Map([['a', 1]]))
    // a tag named traceId makes the two counts disagree: full parse
    expect(scan([span('a', { traceId: 'x' })])).toBeUndefined()
    // another key order, an escaped name, not an array: full parse
    expect(scan([{ localEndpoint: { ipv4: '1.2.3.4', serviceName: 'a' }, traceId: '1' }])).toBeUndefined()
    expect(scan([span('a\\b')])).toBeUndefined()
    expect(scan({ traceId: '1' })).toBeUndefined()
    expect(scan([])).toEqual(new Map())
  })

  test('a body the scan gives way on is still counted by the full parse', async () => {
    const post = (body: string) => collector.fetch(new Request('http://x/api/v2/spans', { method: 'POST', body }))
    expect((await post(JSON.stringify([{ localEndpoint: { ipv4: '1.2.3.4', serviceName: 'c' }, traceId: '1' }]))).status).toBe(202)
    expect((await post('[not json')).status).toBe(400)
    const counts = await (await collector.fetch(new Request('http://x/counts'))).json()
    expect(counts.c).toBe(1)
  })
})
