// Config generations in process (startEdgeway + apply): a request in flight finishes on the
// generation it started on while new requests take the new one at once; a listener whose port
// changed is rebound (the new socket serves, the old one stops accepting once drained).

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseConfig } from '../../src/config/load-config.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { unusedPort } from '../support/sockets.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let slowBlue: Upstream
let green: Upstream
let proxy: TestProxy

const yaml = (upstreamPort: number, listenPort: number) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: ${listenPort}
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]
clusters:
  - { name: app, load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] } }
`

beforeAll(async () => {
  slowBlue = await startUpstream({
    handler: async () => {
      await new Promise((resolve) => setTimeout(resolve, 500))
      return new Response('blue\n')
    },
  })
  green = await startUpstream({ handler: () => new Response('green\n') })
})
afterAll(async () => {
  await proxy?.stop()
  await Promise.all([slowBlue.stop(), green.stop()])
})

test('in flight on the old generation, new requests on the new one; a changed port is rebound', async () => {
  const first = await unusedPort()
  proxy = await startProxy(yaml(slowBlue.port, first))
  const inFlight = fetch(`http://127.0.0.1:${first}/`).then((r) => r.text())
  await new Promise((resolve) => setTimeout(resolve, 100))
  const second = await unusedPort()
  const result = await proxy.apply(parseConfig(yaml(green.port, second), 'next.yaml', { env: () => undefined }))
  expect(result.listeners).toEqual({ added: [], modified: ['ingress_http'], removed: [] })
  expect(result.clusters).toEqual({ added: [], modified: ['app'], removed: [] })
  expect(proxy.generation().version).toBe(2)
  expect(await (await fetch(`http://127.0.0.1:${second}/`)).text()).toBe('green\n')
  expect(await inFlight).toBe('blue\n')
  const deadline = Date.now() + 5_000
  let refused = false
  while (!refused && Date.now() < deadline) {
    refused = await fetch(`http://127.0.0.1:${first}/`, { headers: { connection: 'close' } }).then(
      () => false,
      () => true,
    )
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expect(refused).toBe(true)
  expect(proxy.ports.get('ingress_http')).toBe(second)
})
