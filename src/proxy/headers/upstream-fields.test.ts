import { describe, expect, test } from 'bun:test'
import { startInMemoryTracer } from '../../../test/support/in-memory-tracer.ts'
import { decodeLatin1 } from '../../http1/latin1.ts'
import { sentHead } from '../../http1/request-head.fixture.ts'
import { listenerConfig, proxyFixture } from '../proxy.fixture.ts'
import { ConstantFields, PreparedFields, UpstreamFields } from './upstream-fields.ts'
import { scanRequestHeaders, takeScanned, upstreamFields } from './upstream-headers.ts'

const entries = (headers: Headers) => [...headers.entries()]
const prepared = (fields: UpstreamFields) => (fields.prepared === null ? '' : decodeLatin1(fields.prepared))

describe('UpstreamFields', () => {
  test('add keeps a field in the block, replacing its own earlier value; headers() sets the block into the Headers once', () => {
    const base = new Headers({ host: 'edge' })
    const fields = new UpstreamFields(base, new PreparedFields(['x-forwarded-proto', 'http']))
    fields.add('x-request-id', 'r1')
    fields.add('x-b3-spanid', 'a')
    fields.add('x-b3-spanid', 'b')
    expect([entries(base), fields.pairs, prepared(fields)]).toEqual([[['host', 'edge']], ['x-request-id', 'r1', 'x-b3-spanid', 'b'], 'x-forwarded-proto: http\r\n'])
    const merged = fields.headers()
    expect(merged).toBe(base)
    expect(entries(merged)).toEqual([['host', 'edge'], ['x-b3-spanid', 'b'], ['x-forwarded-proto', 'http'], ['x-request-id', 'r1']])
    expect([fields.pairs, fields.prepared]).toEqual([[], null])
    // From now on every edit is the Headers' own: the block stays empty.
    fields.add('x-b3-spanid', 'c')
    fields.set('x-a', '1')
    fields.delete('x-request-id')
    expect([fields.pairs, entries(base)]).toEqual([[], [['host', 'edge'], ['x-a', '1'], ['x-b3-spanid', 'c'], ['x-forwarded-proto', 'http']]])
  })

  test('set and delete reach a field wherever it is; touching a prepared field sets the prepared ones into the Headers first', () => {
    const base = new Headers({ host: 'edge', 'x-b3-sampled': '1' })
    const fields = new UpstreamFields(base, new PreparedFields(['x-forwarded-proto', 'http']))
    fields.add('x-request-id', 'r1')
    fields.set('x-request-id', 'r2')
    fields.set('x-b3-sampled', '0')
    expect([fields.pairs, base.get('x-b3-sampled'), base.has('x-request-id')]).toEqual([['x-request-id', 'r2'], '0', false])
    fields.delete('x-request-id')
    expect([fields.pairs, base.has('x-request-id')]).toEqual([[], false])
    fields.set('x-forwarded-proto', 'https')
    expect([fields.prepared, base.get('x-forwarded-proto'), entries(fields.headers()).length]).toEqual([null, 'https', 3])
    const other = new UpstreamFields(new Headers(), new PreparedFields(['x-envoy-expected-rq-timeout-ms', '15000']))
    other.delete('x-envoy-expected-rq-timeout-ms')
    expect(entries(other.headers())).toEqual([])
  })

  test("a route's constant block in each form", () => {
    const constants = new ConstantFields('https', '250')
    const text = (form: PreparedFields | null) => (form === null ? null : decodeLatin1(form.bytes))
    expect([text(constants.of(false, false)), text(constants.of(true, false)), text(constants.of(false, true)), text(constants.of(true, true))]).toEqual([
      null,
      'x-forwarded-proto: https\r\n',
      'x-envoy-expected-rq-timeout-ms: 250\r\n',
      'x-forwarded-proto: https\r\nx-envoy-expected-rq-timeout-ms: 250\r\n',
    ])
    expect(new ConstantFields('http', undefined).of(false, true)).toBeNull()
  })
})

describe('upstreamFields after the arrival scan: what goes into the block', () => {
  const peer = { remoteAddress: '198.51.100.7', remotePort: 40000 }
  const facts = { peer, requestId: 'rid-1', hostRewrite: undefined, expectedTimeout: '15000' as string | undefined }
  const edit = (sent: Record<string, string>, listenerYaml?: string, more: Partial<Parameters<typeof upstreamFields>[2]> = {}) => {
    const listener = listenerConfig(listenerYaml === undefined ? {} : { listener: listenerYaml })
    const headers = new Headers(sent)
    scanRequestHeaders(headers, listener)
    return upstreamFields(headers, listener, { ...facts, ...more }, true, takeScanned())
  }

  test("the fields every request gets, none sent by the client: all in the block, the client's Headers untouched", () => {
    const fields = edit({ host: 'edge' })
    expect([entries(fields.base), fields.pairs, prepared(fields)]).toEqual([[['host', 'edge']], ['x-request-id', 'rid-1'], 'x-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 15000\r\n'])
  })

  test('a name the client sent is set in its Headers instead (replaced or kept as before)', () => {
    const fields = edit({ host: 'edge', 'x-request-id': 'client', 'x-forwarded-proto': 'https' })
    expect([fields.base.get('x-request-id'), fields.base.get('x-forwarded-proto'), fields.pairs, prepared(fields)]).toEqual(['rid-1', 'https', [], 'x-envoy-expected-rq-timeout-ms: 15000\r\n'])
    // Named by Connection: it arrived, but does not cross; the edit sets the proxy's own in the Headers.
    const named = edit({ host: 'edge', connection: 'x-forwarded-proto', 'x-forwarded-proto': 'https' })
    expect([named.base.get('x-forwarded-proto'), prepared(named)]).toEqual(['http', 'x-envoy-expected-rq-timeout-ms: 15000\r\n'])
  })

  test('a listener that trusts x-envoy-* fields sets the expected timeout in the Headers (the client may have sent one)', () => {
    const fields = edit({ host: 'edge', 'x-envoy-expected-rq-timeout-ms': '1' }, 'trust_envoy_headers: true')
    expect([fields.base.get('x-envoy-expected-rq-timeout-ms'), prepared(fields)]).toEqual(['15000', 'x-forwarded-proto: http\r\n'])
  })

  test('at an edge: x-forwarded-for and x-envoy-external-address into the block when absent; a sent x-forwarded-for is appended to in place', () => {
    const fields = edit({ host: 'edge' }, 'use_remote_address: true', { internal: false })
    expect([entries(fields.base), fields.pairs]).toEqual([[['host', 'edge']], ['x-request-id', 'rid-1', 'x-forwarded-for', '198.51.100.7', 'x-envoy-external-address', '198.51.100.7']])
    const sent = edit({ host: 'edge', 'x-forwarded-for': '203.0.113.1', 'x-forwarded-proto': 'https' }, 'use_remote_address: true', { internal: true })
    expect([sent.base.get('x-forwarded-for'), sent.base.get('x-forwarded-proto'), sent.pairs]).toEqual(['203.0.113.1, 198.51.100.7', 'http', ['x-request-id', 'rid-1', 'x-envoy-internal', 'true']])
  })
})

describe('through the proxy: retries and the tracer', () => {
  test("each attempt's head carries the block once, the retry's B3 rewritten in it", async () => {
    const tracing = startInMemoryTracer({ serviceName: 'front', nodeId: 'front-1' })
    const heads: string[] = []
    let calls = 0
    const f = proxyFixture({
      endpoints: 2,
      tracer: tracing.tracer,
      route: 'retry_policy: { retry_on: "5xx", num_retries: 1 }',
      upstream: (request) => {
        // What the HTTP/1.1 client would write now: the fields as they are, not merged.
        heads.push(sentHead(request.method, '/service/1', 'a:1', request.fields!.base, 'none', request.fields!))
        return new Response('x', { status: calls++ === 0 ? 503 : 200 })
      },
    })
    // The retry's backoff runs on the fixture's manual clock: drive it until the answer is in.
    let done = false
    const pending = f.read('/service/1').finally(() => (done = true))
    for (let waited = 0; !done && waited < 10_000; waited += 10) await f.clock.advance(10)
    const response = await pending
    await tracing.tracing.shutdown()
    expect(response.status).toBe(200)
    const fieldsOf = (head: string) => head.split('\r\n').slice(1, -2).map((line) => line.split(': ') as [string, string])
    const [first, second] = heads.map(fieldsOf)
    for (const fields of [first!, second!]) {
      const names = fields.map(([name]) => name)
      expect(new Set(names).size).toBe(names.length)
      expect(names).toEqual(['host', 'x-forwarded-proto', 'x-envoy-expected-rq-timeout-ms', 'x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled'])
    }
    const value = (fields: [string, string][], name: string) => fields.find(([n]) => n === name)![1]
    expect(value(first!, 'x-b3-spanid')).not.toBe(value(second!, 'x-b3-spanid'))
    expect(value(first!, 'x-request-id')).toBe(value(second!, 'x-request-id'))
    expect(f.logged[0]!.requestId).toBe(value(second!, 'x-request-id'))
  })
})
