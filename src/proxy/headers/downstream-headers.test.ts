import { expect, test } from 'bun:test'
import { listenerConfig } from '../proxy.fixture.ts'
import { downstreamHeaders } from './downstream-headers.ts'

const upstream = () => new Headers({ connection: 'x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', server: 'gunicorn', 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': '20' })

for (const inPlace of [false, true]) {
  const how = inPlace ? 'edited in place' : 'copied'
  test(`${how}: hop-by-hop and connection-named headers are dropped; service time and the proxy name are set`, () => {
    const headers = downstreamHeaders(upstream(), listenerConfig(), false, 7, inPlace)
    expect(Object.fromEntries(headers)).toEqual({ 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': '20', 'x-envoy-upstream-service-time': '7', server: 'edgeway' })
  })

  test(`${how}: a body the runtime decoded loses content-encoding and content-length`, () => {
    const headers = downstreamHeaders(upstream(), listenerConfig(), true, 0, inPlace)
    expect([headers.has('content-encoding'), headers.has('content-length')]).toEqual([false, false])
  })

  test(`${how}: server_name false removes the upstream server header; a custom one replaces it`, () => {
    expect(downstreamHeaders(upstream(), listenerConfig({ listener: 'server_name: false' }), false, 0, inPlace).has('server')).toBe(false)
    expect(downstreamHeaders(upstream(), listenerConfig({ listener: 'server_name: edge-1' }), false, 0, inPlace).get('server')).toBe('edge-1')
  })
}

test('the copy is fresh: the proxy may change it (Deno hands over immutable headers); in place edits the upstream\'s own', () => {
  const source = upstream()
  const headers = downstreamHeaders(source, listenerConfig(), false, 0)
  headers.set('x-added', '1')
  expect(source.has('x-added')).toBe(false)
  const own = upstream()
  expect(downstreamHeaders(own, listenerConfig(), false, 0, true)).toBe(own)
})

test('a head the client found free of hop-by-hop fields is edited in place without a walk: only the proxy\'s own fields change', () => {
  const own = new Headers({ 'content-type': 'text/plain', 'content-length': '2', server: 'gunicorn' })
  const headers = downstreamHeaders(own, listenerConfig(), false, 3, true, true)
  expect(headers).toBe(own)
  expect(Object.fromEntries(headers)).toEqual({ 'content-type': 'text/plain', 'content-length': '2', 'x-envoy-upstream-service-time': '3', server: 'edgeway' })
})
