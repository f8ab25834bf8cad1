// add_user_agent, as an Envoy sidecar sets it: the upstream learns which service called it
// (x-envoy-downstream-service-cluster, -node from --service-cluster / --service-node), and gets
// that cluster as user-agent when the client sent none. A client's own claim never crosses.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { RawConnection } from '../support/raw-client.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let app: Upstream
let proxy: TestProxy

const listener = (name: string, extra: string) => `
  - name: ${name}
    address: 127.0.0.1
    port: 0
    access_log: false
    ${extra}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]`

beforeAll(async () => {
  app = await startUpstream({ name: 'app' })
  proxy = await startProxy(`
node: { cluster: frontend, id: frontend-7 }
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener('adding', 'add_user_agent: true')}${listener('plain', '')}
clusters:
  - name: app
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${app.port} }] }
`)
})

afterAll(async () => {
  await proxy?.stop()
  await app?.stop()
})

/** What the upstream saw for a GET sent as raw bytes (so a request can have no user-agent at all). */
async function sawFor(listenerName: string, fields: string): Promise<Record<string, string>> {
  const port = Number(new URL(proxy.url(listenerName)).port)
  const connection = await RawConnection.open(port)
  try {
    connection.send(`GET /x HTTP/1.1\r\nhost: edge\r\n${fields}\r\n`)
    const response = await connection.response()
    if (response === 'closed') throw new Error('the proxy closed the connection')
    expect(response.status).toBe(200)
    return (JSON.parse(response.body) as { headers: Record<string, string> }).headers
  } finally {
    connection.close()
  }
}

describe('add_user_agent', () => {
  test('the upstream is told the calling cluster and node, and the cluster is the user-agent of a request without one', async () => {
    const saw = await sawFor('adding', '')
    expect([saw['x-envoy-downstream-service-cluster'], saw['x-envoy-downstream-service-node'], saw['user-agent']]).toEqual(['frontend', 'frontend-7', 'frontend'])
  })

  test("a client's user-agent is kept, and its own downstream-service claim is replaced", async () => {
    const saw = await sawFor('adding', 'user-agent: curl/8.5\r\nx-envoy-downstream-service-cluster: spoofed\r\n')
    expect([saw['user-agent'], saw['x-envoy-downstream-service-cluster']]).toEqual(['curl/8.5', 'frontend'])
  })

  test('without it nothing is added', async () => {
    const saw = await sawFor('plain', '')
    expect([saw['user-agent'], saw['x-envoy-downstream-service-cluster'], saw['x-envoy-downstream-service-node']]).toEqual([undefined, undefined, undefined])
  })
})
