import { expect, test } from 'bun:test'
import { proxyFixture } from './proxy.fixture.ts'

const L = 'http.ingress_http.'

test('no route: 404 NR, counted, never forwarded', async () => {
  const f = proxyFixture()
  const response = await f.read('/elsewhere')
  expect([response.status, response.text, f.fetched.length, f.stat(`${L}no_route`)]).toEqual([404, '', 0, 1])
  expect(f.logged[0]).toMatchObject({ flags: 'NR', details: 'route_not_found', routeName: undefined })
})

test('routed: the request info names route and cluster, the upstream gets the rewritten path and the request header rules', async () => {
  const f = proxyFixture({ route: 'prefix_rewrite: /v2' })
  const response = await f.read('/service/1/items?page=2', { headers: { 'x-request-id': 'rid-7' } })
  expect(response.status).toBe(200)
  const sent = f.fetched[0]!.request
  expect([sent.url, sent.headers.get('x-request-id'), sent.headers.get('x-forwarded-proto')]).toEqual(['http://10.0.0.1:8080/v2/items?page=2', 'rid-7', 'http'])
  expect(f.logged[0]).toMatchObject({ upstreamCluster: 'service1', upstreamHost: '10.0.0.1:8080', bytesReceived: 0, path: '/service/1/items?page=2' })
})

test('a body over max_request_bytes is a 413, counted, never forwarded', async () => {
  const f = proxyFixture({ listener: 'max_request_bytes: 4' })
  const response = await f.read('/service/1', { method: 'POST', body: 'too long', headers: { 'content-length': '8' } })
  expect([response.status, f.fetched.length, f.stat(`${L}downstream_rq_too_large`)]).toEqual([413, 0, 1])
})
