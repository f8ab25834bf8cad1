// A listener with a fault filter (the shipped front proxy's, at 0 %) still edits the client's
// headers in place for forwarding where the runtime allows it: the filter decides from the headers
// as sent before the edit, and what it reads after a delay was taken before it too.

import { expect, test } from 'bun:test'
import { proxyFixture } from '../proxy.fixture.ts'

test('with the fault filter at 0 %, the upstream gets the client\'s own Headers, cleaned', async () => {
  const f = proxyFixture({ listener: 'fault: { abort: { http_status: 503, percentage: { numerator: 0 } } }' })
  const response = await f.read('/service/1', { headers: { te: 'trailers', 'x-custom': 'kept' } })
  expect(response.status).toBe(200)
  const sent = f.fetched[0]!.request.headers
  // The same object the request arrived with (RequestInfo keeps it for the access log): no copy.
  expect(sent).toBe(f.logged[0]!.requestHeaders)
  expect([sent.get('te'), sent.get('x-custom')]).toEqual([null, 'kept'])
})

test('the filter\'s header matchers see a hop-by-hop header that is not forwarded', async () => {
  const f = proxyFixture({ listener: 'fault: { abort: { http_status: 418, percentage: { numerator: 100 } }, headers: [{ name: te, exact_match: trailers }] }' })
  expect((await f.read('/service/1', { headers: { te: 'trailers' } })).status).toBe(418)
  expect((await f.read('/service/1')).status).toBe(200)
  expect(f.fetched.length).toBe(1)
  expect(f.fetched[0]!.request.headers.get('te')).toBeNull()
})

test('an abort decided after a delay reads x-envoy-fault-abort-request as the client sent it, though it is not forwarded', async () => {
  const f = proxyFixture({ listener: 'fault: { delay: { fixed_delay: 1s, percentage: { numerator: 100 } }, abort: { header_abort: {}, percentage: { numerator: 100 } } }' })
  const pending = f.read('/service/1', { headers: { 'x-envoy-fault-abort-request': '418' } })
  await f.clock.advance(1000)
  expect((await pending).status).toBe(418)
  expect(f.logged[0]).toMatchObject({ flags: 'DI,FI' })
  const forwarded = f.read('/service/1', { headers: { 'x-envoy-fault-abort-request': 'no status' } })
  await f.clock.advance(1000)
  expect((await forwarded).status).toBe(200)
  // An edge listener does not trust x-envoy-* from its clients: dropped from what goes upstream.
  expect(f.fetched[0]!.request.headers.get('x-envoy-fault-abort-request')).toBeNull()
})
