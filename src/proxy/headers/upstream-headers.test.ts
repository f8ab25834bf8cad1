import { describe, expect, test } from 'bun:test'
import { listenerConfig } from '../proxy.fixture.ts'
import { arrival, fieldsOf, TRACING_FIELDS } from './arrival-fields.ts'
import { downstreamAddress, scanRequestHeaders, takeScanned, upstreamFields as forwarded } from './upstream-headers.ts'

const peer = { remoteAddress: '198.51.100.7', remotePort: 40000 }
const facts = { peer, requestId: 'rid-1', hostRewrite: undefined, expectedTimeout: '15000' as string | undefined }
const incoming = (entries: Record<string, string>) => new Headers(entries)

for (const mode of ['copied', 'edited in place', 'edited in place after the arrival scan'] as const) describe(`upstreamHeaders, ${mode}`, () => {
  const inPlace = mode !== 'copied'
  const upstreamHeaders = (headers: Headers, listener: Parameters<typeof forwarded>[1], f: Parameters<typeof forwarded>[2]) => {
    // As the handler does: the header-size check's walk, then the edit without a walk of its own.
    const scanned = mode === 'edited in place after the arrival scan' ? (scanRequestHeaders(headers, listener), takeScanned()) : undefined
    const out = forwarded(headers, listener, f, inPlace, scanned)
    expect(out.base === headers).toBe(inPlace)
    // Without the arrival scan the edit knows only that no client x-envoy-* field crossed.
    if (!scanned) for (let i = 0; i < out.pairs.length; i += 2) expect(out.pairs[i]!.startsWith('x-envoy-')).toBe(true)
    return out.headers()
  }

  test('hop-by-hop headers and the ones connection names stay behind; the rest pass', () => {
    const out = upstreamHeaders(
      incoming({ host: 'edge', connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', te: 'trailers', upgrade: 'h2c', 'proxy-authorization': 'x', 'x-secret': 's', accept: '*/*' }),
      listenerConfig(),
      facts,
    )
    expect([...out.keys()].sort()).toEqual(['accept', 'host', 'x-envoy-expected-rq-timeout-ms', 'x-forwarded-proto', 'x-request-id'])
  })

  test('client x-envoy-* headers are dropped unless the listener trusts them', () => {
    const headers = () => incoming({ 'x-envoy-retry-on': '5xx', 'x-envoy-upstream-rq-timeout-ms': '1' })
    expect(upstreamHeaders(headers(), listenerConfig(), facts).has('x-envoy-retry-on')).toBe(false)
    expect(upstreamHeaders(headers(), listenerConfig({ listener: 'trust_envoy_headers: true' }), facts).get('x-envoy-retry-on')).toBe('5xx')
  })

  test('x-request-id, the expected timeout and x-forwarded-proto are set', () => {
    const out = upstreamHeaders(incoming({ 'x-request-id': 'client-id' }), listenerConfig(), { ...facts, requestId: 'decided-id', expectedTimeout: '250' })
    expect([out.get('x-request-id'), out.get('x-envoy-expected-rq-timeout-ms'), out.get('x-forwarded-proto')]).toEqual(['decided-id', '250', 'http'])
    expect(upstreamHeaders(incoming({}), listenerConfig(), { ...facts, expectedTimeout: undefined }).has('x-envoy-expected-rq-timeout-ms')).toBe(false)
  })

  test('use_remote_address appends the peer to x-forwarded-for; without it x-forwarded-for passes as sent', () => {
    const edge = listenerConfig({ listener: 'use_remote_address: true' })
    expect(upstreamHeaders(incoming({ 'x-forwarded-for': '203.0.113.1' }), edge, facts).get('x-forwarded-for')).toBe('203.0.113.1, 198.51.100.7')
    expect(upstreamHeaders(incoming({}), edge, facts).get('x-forwarded-for')).toBe('198.51.100.7')
    expect(upstreamHeaders(incoming({ 'x-forwarded-for': '203.0.113.1' }), listenerConfig(), facts).get('x-forwarded-for')).toBe('203.0.113.1')
  })

  test('at an edge an internal client is marked x-envoy-internal, an external one carries x-envoy-external-address (Envoy)', () => {
    const edge = listenerConfig({ listener: 'use_remote_address: true' })
    const envoyFields = (h: Headers) => [h.get('x-envoy-internal'), h.get('x-envoy-external-address')]
    expect(envoyFields(upstreamHeaders(incoming({}), edge, { ...facts, internal: false }))).toEqual([null, '198.51.100.7'])
    expect(envoyFields(upstreamHeaders(incoming({}), edge, { ...facts, internal: true }))).toEqual(['true', null])
    // The client's own x-envoy-internal never crosses, even where the listener trusts x-envoy-* headers.
    const trusting = listenerConfig({ listener: 'use_remote_address: true\ntrust_envoy_headers: true' })
    expect(envoyFields(upstreamHeaders(incoming({ 'x-envoy-internal': 'true' }), trusting, { ...facts, internal: false }))).toEqual([null, '198.51.100.7'])
    // With trusted hops, the trusted client address is the x-forwarded-for entry that many from the right (Envoy's example 3).
    const behindTwo = listenerConfig({ listener: 'use_remote_address: true\nxff_num_trusted_hops: 2' })
    const out = upstreamHeaders(incoming({ 'x-forwarded-for': '203.0.113.128, 203.0.113.10, 203.0.113.1' }), behindTwo, { ...facts, internal: false })
    expect([out.get('x-envoy-external-address'), out.get('x-forwarded-for')]).toEqual(['203.0.113.10', '203.0.113.128, 203.0.113.10, 203.0.113.1, 198.51.100.7'])
  })

  test('add_user_agent names this node to the upstream, and its cluster as user-agent only when the client sent none (Envoy)', () => {
    const downstreamService = { cluster: 'front-proxy', id: 'front-1' }
    const sent = upstreamHeaders(incoming({ 'user-agent': 'curl/8', 'x-envoy-downstream-service-cluster': 'spoofed' }), listenerConfig(), { ...facts, downstreamService })
    expect([sent.get('x-envoy-downstream-service-cluster'), sent.get('x-envoy-downstream-service-node'), sent.get('user-agent')]).toEqual(['front-proxy', 'front-1', 'curl/8'])
    const none = upstreamHeaders(incoming({}), listenerConfig(), { ...facts, downstreamService: { cluster: 'front-proxy', id: '' } })
    expect([none.get('user-agent'), none.has('x-envoy-downstream-service-node')]).toEqual(['front-proxy', false])
    expect(upstreamHeaders(incoming({}), listenerConfig(), facts).has('x-envoy-downstream-service-cluster')).toBe(false)
  })

  test('behind an edge, one internal x-forwarded-for address marks the request x-envoy-internal; anything else does not (Envoy)', () => {
    const inner = (xff: string | null, listener = listenerConfig()) => {
      const headers = incoming(xff === null ? { 'x-envoy-internal': 'true' } : { 'x-forwarded-for': xff, 'x-envoy-internal': 'true' })
      return upstreamHeaders(headers, listener, { ...facts, forwardedFor: xff }).get('x-envoy-internal')
    }
    expect(inner('10.20.30.40')).toBe('true')
    expect(inner('203.0.113.1')).toBeNull()
    expect(inner('10.20.30.40, 10.0.0.2')).toBeNull()
    expect(inner(null)).toBeNull()
    expect(inner(null, listenerConfig({ listener: 'trust_envoy_headers: true' }))).toBeNull()
    expect(inner('fd00::1', listenerConfig({ listener: 'trust_envoy_headers: true' }))).toBe('true')
  })

  test("the client's own x-forwarded-proto and Host pass; absent ones are set (Host from the authority)", () => {
    const kept = upstreamHeaders(incoming({ host: 'edge', 'x-forwarded-proto': 'https' }), listenerConfig(), { ...facts, authority: 'other' })
    expect([kept.get('x-forwarded-proto'), kept.get('host')]).toEqual(['https', 'edge'])
    const set = upstreamHeaders(incoming({ accept: '*/*' }), listenerConfig(), { ...facts, authority: 'edge:8000' })
    expect([set.get('x-forwarded-proto'), set.get('host')]).toEqual(['http', 'edge:8000'])
    const named = upstreamHeaders(incoming({ host: 'edge', connection: 'x-forwarded-proto', 'x-forwarded-proto': 'https' }), listenerConfig(), facts)
    expect(named.get('x-forwarded-proto')).toBe('http')
  })

  test('host_rewrite replaces Host and keeps the original in x-forwarded-host', () => {
    const out = upstreamHeaders(incoming({ host: 'edge.example' }), listenerConfig(), { ...facts, hostRewrite: 'service1.internal' })
    expect([out.get('host'), out.get('x-forwarded-host')]).toEqual(['service1.internal', 'edge.example'])
  })
})

describe('downstreamAddress', () => {
  test('the peer, or with trusted hops the x-forwarded-for entry that many from the right', () => {
    const xff = incoming({ 'x-forwarded-for': '203.0.113.1, 10.0.0.2, 10.0.0.3' })
    expect(downstreamAddress(xff, listenerConfig(), '10.0.0.9')).toBe('10.0.0.9')
    expect(downstreamAddress(xff, listenerConfig({ listener: 'use_remote_address: true\nxff_num_trusted_hops: 2' }), '10.0.0.9')).toBe('10.0.0.2')
    expect(downstreamAddress(incoming({}), listenerConfig({ listener: 'use_remote_address: true\nxff_num_trusted_hops: 1' }), '10.0.0.9')).toBe('10.0.0.9')
  })
})

test("the arrival scan counts the headers' size as HTTP/1.1 sends them and names what must not cross, once", () => {
  const headers = incoming({ host: 'edge', connection: 'x-secret', 'x-secret': 's', 'x-envoy-retry-on': '5xx', accept: '*/*' })
  // host: edge\r\n (12) + connection: x-secret\r\n (22) + x-secret: s\r\n (13) + x-envoy-retry-on: 5xx\r\n (23) + accept: */*\r\n (13)
  expect(scanRequestHeaders(headers, listenerConfig())).toBe(83)
  expect([...takeScanned().drop].sort()).toEqual(['connection', 'x-envoy-retry-on', 'x-secret'])
  // Taken: a later request's edit never sees this one's names.
  expect(takeScanned().drop).toEqual([])
  expect(scanRequestHeaders(incoming({ host: 'edge' }), listenerConfig({ listener: 'trust_envoy_headers: true' }))).toBe(12)
  expect(takeScanned()).toEqual({ drop: [], host: true, forwardedProto: false, requestId: false, forwardedFor: false })
  scanRequestHeaders(incoming({ 'x-forwarded-proto': 'https' }), listenerConfig())
  expect(takeScanned()).toEqual({ drop: [], host: false, forwardedProto: true, requestId: false, forwardedFor: false })
  scanRequestHeaders(incoming({ 'x-request-id': 'r', 'x-forwarded-for': '203.0.113.1', connection: 'x-a' }), listenerConfig())
  expect(takeScanned()).toEqual({ drop: ['connection'], host: false, forwardedProto: false, requestId: true, forwardedFor: true })
})


test('the arrival scan reads the fields the phases need as get() would: repeats joined, absent ones null, none left from the last request', () => {
  const cases = [
    [['host', 'edge'], ['Content-Length', '3'], ['content-length', '3'], ['User-Agent', 'curl'], ['x-forwarded-for', '1.2.3.4'], ['X-Forwarded-For', '5.6.7.8'], ['x-request-id', 'r1'], ['upgrade', 'websocket'], ['connection', 'Upgrade'], ['transfer-encoding', 'chunked']],
    [['host', 'edge']],
    [],
    [['connection', 'keep-alive'], ['keep-alive', 'timeout=5'], ['accept', '*/*']],
    ...TRACING_FIELDS.map((name) => [['host', 'edge'], [name.toUpperCase(), '1']]),
  ]
  for (const entries of cases) {
    const headers = new Headers(entries as [string, string][])
    scanRequestHeaders(headers, listenerConfig())
    takeScanned()
    expect({ ...arrival }).toEqual(fieldsOf(headers))
    expect(arrival.tracing).toBe(entries.some(([name]) => TRACING_FIELDS.includes(name!.toLowerCase())))
  }
})
