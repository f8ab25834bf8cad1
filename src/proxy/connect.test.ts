// CONNECT through the handler, as Envoy without CONNECT config answers it: routed by the authority
// its target names with an empty path, so no prefix route takes it (404 NR), never forwarded, and
// the connection not reused. Real listeners: test/integration/request-header-limits.test.ts.

import { describe, expect, test } from 'bun:test'
import { proxyFixture } from './proxy.fixture.ts'
import { toResponse } from '../upstream/to-response.ts'

/** A CONNECT as a runtime hands it over: `url` as Bun (`host:port`) or Deno (`http://host:port`) gives it. */
function connect(url: string, host = 'example.com:443'): Request {
  const request = new Request('http://example.com:443/', { method: 'CONNECT', headers: { host } })
  Object.defineProperty(request, 'url', { value: url })
  return request
}

describe('CONNECT', () => {
  for (const url of ['example.com:443', 'http://example.com:443']) {
    test(`${url}: 404 NR route_not_found, counted as no_route, connection: close, nothing forwarded`, async () => {
      const f = proxyFixture()
      const response = await f.send(connect(url))
      expect([response.status, response.headers.get('connection'), await toResponse(response).text()]).toEqual([404, 'close', ''])
      expect(f.logged[0]).toMatchObject({ method: 'CONNECT', path: '', authority: 'example.com:443', status: 404, flags: 'NR', details: 'route_not_found' })
      expect(f.stat('http.ingress_http.no_route')).toBe(1)
      expect(f.fetched).toEqual([])
    })
  }

  test('a target without a port, or with a path: 400 http1.invalid_url, as Envoy\'s codec', async () => {
    for (const url of ['example.com', '/service/1', 'http://example.com:443/service/1']) {
      const f = proxyFixture()
      const response = await f.send(connect(url))
      // The access log has the request once its body is read.
      expect([response.status, await toResponse(response).text()]).toEqual([400, 'invalid CONNECT target'])
      expect([f.logged[0]?.details, f.logged[0]?.flags, f.fetched.length]).toEqual(['http1.invalid_url', 'DPE', 0])
    }
  })
})
