import { describe, expect, test } from 'bun:test'
import { downstreamRequestError, requestInfoOf } from './downstream-request.ts'
import type { RequestObserver } from './observer.ts'
import { listenerConfig } from './proxy.fixture.ts'
import { requestTarget } from './request-target.ts'

const edgePeer = { remoteAddress: '203.0.113.9', remotePort: 5000 }
const internalPeer = { remoteAddress: '10.1.2.3', remotePort: 5000 }

function info(url: string, headers: Record<string, string>, listenerYaml = '', peer = internalPeer) {
  const request = new Request(url, { headers })
  return requestInfoOf(request, peer, listenerConfig({ listener: listenerYaml }), requestTarget(request.url, request.headers.get('host')), 5, 1_700_000_000_000)
}

describe('requestInfoOf', () => {
  test('records what the client sent, path normalised, query kept', () => {
    const i = info('http://edge/service/1/../1/x?a=1', { host: 'edge', 'user-agent': 'curl', 'x-forwarded-for': '1.2.3.4', 'x-request-id': 'client-id' })
    expect(i).toMatchObject({ method: 'GET', path: '/service/1/x?a=1', authority: 'edge', userAgent: 'curl', forwardedFor: '1.2.3.4', requestId: 'client-id', internal: true, startedAt: 5, status: 0, details: 'via_upstream' })
  })

  test('a request id is generated when the client sent none or a malformed one', () => {
    const generated = info('http://edge/', { host: 'edge', 'x-request-id': 'bad id with spaces' }).requestId
    expect(generated).toMatch(/^[0-9a-f-]{36}$/)
    expect(info('http://edge/', { host: 'edge' }, 'generate_request_id: false').requestId).toBeUndefined()
  })

  test('at an edge an external client is not internal and loses its own request id', () => {
    const external = info('http://edge/', { host: 'edge', 'x-request-id': 'client-id' }, 'use_remote_address: true', edgePeer)
    expect([external.internal, external.requestId === 'client-id']).toEqual([false, false])
    const kept = info('http://edge/', { host: 'edge', 'x-request-id': 'client-id' }, 'use_remote_address: true\npreserve_external_request_id: true', edgePeer)
    expect(kept.requestId).toBe('client-id')
  })
})

describe('downstreamRequestError', () => {
  function check(headers: Record<string, string> | [string, string][], listenerYaml = '', path = '/service/1') {
    const events: string[] = []
    const observer = { downstream: (_: unknown, event: string) => events.push(event) } as unknown as RequestObserver
    const request = new Request(`http://edge${path}`, { headers })
    const target = requestTarget(request.url, request.headers.get('host'))
    const listener = listenerConfig({ listener: listenerYaml })
    const error = downstreamRequestError(request, target, listener, requestInfoOf(request, internalPeer, listener, target, 0, 0), observer)
    return { error, events }
  }

  /** Host and `n - 1` more fields: `n` in all. */
  const fields = (n: number, value = '1') => [['host', 'edge'], ...Array.from({ length: n - 1 }, (_, i): [string, string] => [`x-h${i}`, value])] as [string, string][]

  test('a valid request passes', () => expect(check({ host: 'edge' }).error).toBeUndefined())

  test('bad framing or Host is a 400 codec error, counted as a protocol error', () => {
    const { error, events } = check({ host: 'edge', 'content-length': '3', 'transfer-encoding': 'chunked' })
    expect([error?.status, error?.flag, events]).toEqual([400, 'DPE', ['downstream_cx_protocol_error']])
    expect(check({ host: 'a b' }).error?.code).toBe('http1.invalid_authority')
  })

  test('headers plus the request line over max_request_headers_kb: 431, counted as header overflow', () => {
    const big = 'x'.repeat(1024 - 'GET'.length - '/service/1'.length - 'host'.length - 'edge'.length - 4 - 'x-big'.length - 4)
    expect(check({ host: 'edge', 'x-big': big }, 'max_request_headers_kb: 1').error).toBeUndefined()
    const { error, events } = check({ host: 'edge', 'x-big': `${big}x` }, 'max_request_headers_kb: 1')
    expect([error?.status, events]).toEqual([431, ['downstream_rq_header_overflow']])
  })

  test('more fields than max_request_headers_count (100 by default): 431 http1.too_many_headers, counted as header overflow', () => {
    expect(check(fields(100)).error).toBeUndefined()
    const { error, events } = check(fields(101))
    expect([error?.status, error?.code, error?.flag, error?.body, events]).toEqual([431, 'http1.too_many_headers', 'DPE', 'Request Header Fields Too Large', ['downstream_rq_header_overflow']])
    expect(check(fields(3), 'max_request_headers_count: 3').error).toBeUndefined()
    expect(check(fields(4), 'max_request_headers_count: 3').error?.code).toBe('http1.too_many_headers')
    expect(check(fields(150), 'max_request_headers_count: 150').error).toBeUndefined()
  })

  test('repeats of one name are one field, as the runtimes hand them over joined', () => {
    const repeated = [['host', 'edge'], ...Array.from({ length: 120 }, (): [string, string] => ['x-a', '1'])] as [string, string][]
    expect(check(repeated).error).toBeUndefined()
  })

  test('set-cookie lines are each a field; the smallest fields (a one-letter name, an empty value) count too', () => {
    const cookies = [['host', 'edge'], ...Array.from({ length: 100 }, (_, i): [string, string] => ['set-cookie', `c${i}=1`])] as [string, string][]
    expect(check(cookies).error?.code).toBe('http1.too_many_headers')
    const tiny = [['host', 'edge'], ...Array.from({ length: 100 }, (_, i): [string, string] => [String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''), ''])] as [string, string][]
    expect(check(tiny).error?.code).toBe('http1.too_many_headers')
  })

  test('a head over both limits gets the size\'s 431', () => {
    expect(check(fields(101, 'x'.repeat(20)), 'max_request_headers_kb: 1').error?.code).toBe('request_headers_too_large')
  })
})

