import { expect, test } from 'bun:test'
import { badRequest, connectFailure, noRoute, overflow, routeTimeout, type ProxyError } from '../errors.ts'
import { localReply } from './local-reply.ts'
import type { RequestObserver } from './observer.ts'
import { listenerConfig } from './proxy.fixture.ts'
import type { RequestInfo } from './request-info.ts'
import { toResponse } from '../upstream/to-response.ts'
import { wholeBodyOf } from '../upstream/whole-body.ts'

function reply(error: ProxyError, listenerYaml = '', forcedTrace = false) {
  const events: string[] = []
  const observer = { forcedTrace, responded: (i: RequestInfo) => events.push(`responded ${i.status}`), done: () => events.push('done') } as unknown as RequestObserver
  const info = { requestId: 'rid-1', status: 0, flags: '', details: 'via_upstream', startedAt: 0 } as RequestInfo
  const response = localReply(error, info, observer, { listener: listenerConfig({ listener: listenerYaml }), observers: { watchesBody: false }, now: () => 0 })
  return { response, info, events }
}

test('Envoy\'s status, body, flags and details; server name; content-length of the body', async () => {
  const { response, info, events } = reply(connectFailure(undefined, true))
  expect([response.status, await toResponse(response).text()]).toEqual([503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'])
  expect([response.headers.get('server'), response.headers.get('content-length'), response.headers.get('content-type')]).toEqual(['edgeway', '91', 'text/plain'])
  expect([info.status, info.flags, info.details]).toEqual([503, 'UF,URX', 'upstream_reset_before_response_started{connection_failure}'])
  expect(events).toEqual(['responded 503', 'done'])
})

test('marked as holding its whole body, so a byte listener writes it with its head at once', () => {
  const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined)
  expect(text(wholeBodyOf(reply(routeTimeout()).response))).toBe('upstream request timeout')
  expect(wholeBodyOf(reply(noRoute()).response)?.byteLength).toBe(0)
})

test('404 NR has no body; 504 UT says upstream request timeout', async () => {
  const nr = reply(noRoute()).response
  expect([nr.status, await toResponse(nr).text(), nr.headers.get('content-length')]).toEqual([404, '', '0'])
  expect(await toResponse(reply(routeTimeout()).response).text()).toBe('upstream request timeout')
})

test('overflow carries x-envoy-overloaded; codec errors close the connection', () => {
  expect(reply(overflow()).response.headers.get('x-envoy-overloaded')).toBe('true')
  expect(reply(badRequest('invalid Host header', 'http1.invalid_authority')).response.headers.get('connection')).toBe('close')
  expect(reply(noRoute()).response.headers.has('connection')).toBe(false)
})

test('x-request-id is echoed when configured or on a forced trace, not otherwise; server_name false sends none', () => {
  expect(reply(noRoute()).response.headers.has('x-request-id')).toBe(false)
  expect(reply(noRoute(), 'always_set_request_id_in_response: true').response.headers.get('x-request-id')).toBe('rid-1')
  expect(reply(noRoute(), '', true).response.headers.get('x-request-id')).toBe('rid-1')
  expect(reply(noRoute(), 'server_name: false').response.headers.has('server')).toBe(false)
})
