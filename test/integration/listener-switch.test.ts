// EDGEWAY_LISTENER as the process sees it: in a process started with EDGEWAY_LISTENER=bytes a
// plain HTTP/1.1 proxy listener is the byte-level listener, otherwise Bun.serve; a listener whose
// routes may upgrade to WebSocket stays on Bun.serve either way. npm test (test/run.ts) runs the
// in-process listener suites once more with the switch on, and this file with them, so that run
// fails if the switch stops taking effect rather than testing Bun.serve twice.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { servedByByteListener } from '../support/byte-listener-probe.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const bytes = process.env.EDGEWAY_LISTENER === 'bytes'
const onBun = process.env.EDGEWAY_TEST_RUNTIME !== 'deno'
let upstream: Upstream
let proxy: TestProxy

beforeAll(async () => {
  upstream = await startUpstream({ name: 'echo' })
  proxy = await startProxy(`
listeners:
  - name: plain
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: any
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: c } }]
  - name: sockets
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: any
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: c, upgrade_configs: [{ upgrade_type: websocket }] } }]
clusters:
  - name: c
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`)
})

afterAll(async () => {
  await proxy?.stop()
  await upstream?.stop()
})

const port = (listener: string) => Number(new URL(proxy.url(listener)).port)

describe.skipIf(!onBun)(`EDGEWAY_LISTENER=${process.env.EDGEWAY_LISTENER ?? ''} in this process`, () => {
  test(`a plain listener is ${bytes ? 'the byte listener' : 'Bun.serve'}`, async () => {
    expect(await servedByByteListener(port('plain'))).toBe(bytes)
  })

  test('a listener whose routes may upgrade to WebSocket is Bun.serve', async () => {
    expect(await servedByByteListener(port('sockets'))).toBe(false)
  })
})
