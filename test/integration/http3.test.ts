// HTTP/3 on Bun: a TLS listener with http3: true answers Bun's fetch over QUIC (protocol "http3")
// through the same routes, and its HTTP/1.1 and HTTP/2 answers advertise it in alt-svc.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { makeTestCerts, type TestCerts } from '../support/certs.ts'
import { curl } from '../support/curl.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let certs: TestCerts
let upstream: Upstream
let proxy: TestProxy
let port: number

beforeAll(async () => {
  certs = makeTestCerts()
  upstream = await startUpstream({ name: 'service1' })
  proxy = await startProxy(`
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_https
    address: 127.0.0.1
    port: 0
    http3: true
    tls:
      tls_certificates: [{ certificate_chain: { filename: ${certs.crt('a.test')} }, private_key: { filename: ${certs.key('a.test')} } }]
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes: [{ match: { prefix: /service/1 }, route: { cluster: service1 } }]
clusters:
  - name: service1
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
`)
  port = proxy.ports.get('ingress_https')!
}, 30_000)

afterAll(async () => {
  await proxy.stop()
  await upstream.stop()
  certs.remove()
})

test('Bun fetch with protocol "http3" is proxied over QUIC to the routed cluster', async () => {
  // Bun 1.4's HTTP/3 client rejects a custom CA (HTTP3Unsupported), so this one skips verification.
  const response = await fetch(`https://127.0.0.1:${port}/service/1?over=h3`, { protocol: 'http3', tls: { rejectUnauthorized: false } } as RequestInit)
  expect(response.status).toBe(200)
  const received = (await response.json()) as { path: string; headers: Record<string, string> }
  expect(received.path).toBe('/service/1?over=h3')
  expect(received.headers['x-forwarded-proto']).toBe('https')
  expect(response.headers.get('server')).toBe('edgeway')
  // Bun adds alt-svc only to answers over TCP: its absence shows this one came over QUIC.
  expect(response.headers.get('alt-svc')).toBeNull()
})

test('HTTP/1.1 and HTTP/2 answers advertise h3 on the same port in alt-svc', async () => {
  for (const version of ['--http1.1', '--http2']) {
    const answer = await curl([version, '--cacert', certs.crt('ca'), `https://127.0.0.1:${port}/service/1`])
    expect(answer.status).toBe(200)
    expect(answer.headers['alt-svc']).toContain(`h3=":${port}"`)
  }
})
