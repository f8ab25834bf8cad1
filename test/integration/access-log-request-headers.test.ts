// Bun lets the proxy edit a request's headers in place for forwarding (Runtime.headersEditable).
// A configured access-log format reads the request when it is done: it must still see the headers
// as the client sent them, and the client address Envoy derives from them before XFF is appended.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startProxy, type TestProxy } from '../support/edgeway.ts'

let upstream: ReturnType<typeof Bun.serve>
let proxy: TestProxy
const seen: Headers[] = []

beforeAll(async () => {
  upstream = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => (seen.push(request.headers), new Response('ok')) })
  proxy = await startProxy(`
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    use_remote_address: true
    xff_num_trusted_hops: 1
    access_log: { text_format: "%REQ(TE)% %REQ(X-FORWARDED-FOR)% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%\\n" }
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: up } }]
clusters:
  - name: up
    connect_timeout: 1s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`)
})

afterAll(async () => {
  await proxy?.stop()
  upstream?.stop(true)
})

test('the log line reads the client\'s headers as sent while the upstream gets them cleaned', async () => {
  const response = await fetch(`${proxy.url()}/a`, { headers: { te: 'trailers', 'x-forwarded-for': '203.0.113.9' } })
  expect(await response.text()).toBe('ok')
  expect([seen[0]!.has('te'), seen[0]!.get('x-forwarded-for')]).toEqual([false, '203.0.113.9, 127.0.0.1'])
  const deadline = Date.now() + 5000
  while (!proxy.output().includes('trailers') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(proxy.output().trim().split('\n').at(-1)).toBe('trailers 203.0.113.9 203.0.113.9')
})
