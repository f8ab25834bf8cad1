// Upstream TLS and HTTP/2 against real local upstreams (node:http2 servers in child processes that
// record the HTTP version, ALPN, SNI and client certificate they saw), on every upstream client
// edgeway ships: Bun with the HTTP/1.1 client (node:tls, the default), Bun's fetch, and Deno.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeTestCerts, type TestCerts } from '../support/certs.ts'
import { spawnEdgeway } from '../support/edgeway.ts'
import { eventually, ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts'
import { clusterPerPrefixYaml } from '../support/cluster-per-prefix.ts'

let certs: TestCerts
let tlsUpstream: RecordingUpstream
let h2cUpstream: RecordingUpstream
const group = new ProcessGroup()

beforeAll(async () => {
  certs = makeTestCerts()
  ;[tlsUpstream, h2cUpstream] = await Promise.all([
    startRecordingUpstream(['tls', certs.crt('a.test'), certs.key('a.test'), certs.crt('ca')]),
    startRecordingUpstream(['h2c']),
  ])
}, 30_000)

afterAll(async () => {
  await group.stopAll()
  await Promise.all([tlsUpstream?.stop(), h2cUpstream?.stop()])
  certs.remove()
})

const ca = () => `validation_context: { trusted_ca: { filename: ${certs.crt('ca')} } }`

/** One route prefix per cluster; every cluster reaches the same upstream its own way. */
function clustersYaml(): string {
  const tls = `127.0.0.1, port: ${tlsUpstream.port}`
  const clusters: [string, string][] = [
    ['h1-tls', `endpoints: [{ address: ${tls} }] }\n    tls: { sni: a.test, ${ca()} }`],
    ['h2-tls', `endpoints: [{ address: ${tls} }] }\n    http2_protocol_options: {}\n    tls: { sni: a.test, ${ca()} }`],
    ['h2c', `endpoints: [{ address: 127.0.0.1, port: ${h2cUpstream.port} }] }\n    http2_protocol_options: {}`],
    ['wrong-ca', `endpoints: [{ address: ${tls} }] }\n    tls: { sni: a.test, validation_context: { trusted_ca: { filename: ${certs.crt('b.test')} } } }`],
    ['h2-wrong-ca', `endpoints: [{ address: ${tls} }] }\n    http2_protocol_options: {}\n    tls: { sni: a.test, validation_context: { trusted_ca: { filename: ${certs.crt('b.test')} } } }`],
    ['san-ok', `endpoints: [{ address: ${tls} }] }\n    tls: { validation_context: { trusted_ca: { filename: ${certs.crt('ca')} }, match_subject_alt_names: [{ suffix: .test }] } }`],
    ['san-bad', `endpoints: [{ address: ${tls} }] }\n    tls: { validation_context: { trusted_ca: { filename: ${certs.crt('ca')} }, match_subject_alt_names: [{ exact: b.test }] } }`],
    [
      'client-cert',
      `endpoints: [{ address: ${tls} }] }\n    tls: { sni: a.test, ${ca()}, tls_certificates: [{ certificate_chain: { filename: ${certs.crt('client')} }, private_key: { filename: ${certs.key('client')} } }] }`,
    ],
    ['insecure', `endpoints: [{ address: ${tls} }] }\n    tls: { sni: other.example, insecure_skip_verify: true }`],
    [
      'checked',
      `endpoints: [{ address: ${tls} }] }\n    tls: { sni: a.test, ${ca()} }\n    health_checks: [{ timeout: 0.2s, interval: 0.2s, http_health_check: { path: /healthz-tls } }]`,
    ],
  ]
  return clusterPerPrefixYaml(clusters)
}

type Seen = { httpVersion: string; alpn: string | null; sni: string | null; clientCertificate: string | null; path: string; authority: string; bodyBytes: number }

for (const [label, runtime, env] of [
  ['Bun (HTTP/1.1 client on node:tls, the default)', 'bun', {}],
  ['Bun (fetch)', 'bun', { EDGEWAY_UPSTREAM_CLIENT: 'fetch' }],
  ['Deno', 'deno', {}],
] as const) {
  describe(`upstream TLS and HTTP/2 on ${label}`, () => {
    let proxy: ProxyProcess
    beforeAll(async () => {
      proxy = await group.proxy(`upstream-${runtime}-${Object.keys(env).length}`, clustersYaml(), env, { runtime })
    }, 30_000)
    const get = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${proxy.url('ingress')}${path}`, init)
      return { status: response.status, text: await response.text(), flags: response.headers.get('x-envoy-response-flags') }
    }

    test('HTTP/1.1 over TLS sends the SNI name, verifies against the CA, keeps the Host', async () => {
      const { status, text } = await get('/h1-tls/a', { headers: { host: 'service.example' } })
      expect(status).toBe(200)
      const seen = JSON.parse(text) as Seen
      expect([seen.httpVersion, seen.alpn, seen.sni, seen.authority]).toEqual(['1.1', 'http/1.1', 'a.test', 'service.example'])
    })

    test('HTTP/2 over TLS negotiates h2 by ALPN; a request body arrives whole', async () => {
      const { status, text } = await get('/h2-tls/b', { method: 'POST', body: 'x'.repeat(100_000), headers: { host: 'service.example' } })
      expect(status).toBe(200)
      const seen = JSON.parse(text) as Seen
      expect([seen.httpVersion, seen.alpn, seen.sni, seen.authority, seen.bodyBytes]).toEqual(['2.0', 'h2', 'a.test', 'service.example', 100_000])
    })

    test('h2c: prior-knowledge HTTP/2 on plain text, several requests on the session', async () => {
      for (let i = 0; i < 3; i++) {
        const { status, text } = await get(`/h2c/${i}`)
        expect(status).toBe(200)
        const seen = JSON.parse(text) as Seen
        expect([seen.httpVersion, seen.alpn, seen.path]).toEqual(['2.0', null, `/h2c/${i}`])
      }
    })

    test('a 1 MiB response arrives whole over h2 and h2c (many flow-control windows), also with concurrent requests', async () => {
      for (const path of ['/h2-tls/big', '/h2c/big', '/h1-tls/big']) {
        const lengths = await Promise.all([0, 1, 2, 3].map(async () => (await get(path)).text.length))
        expect(lengths).toEqual([1048576, 1048576, 1048576, 1048576])
      }
    })

    test('a certificate the CA did not sign: 503 UF naming the TLS failure, over HTTP/1.1 and HTTP/2', async () => {
      for (const path of ['/wrong-ca/c', '/h2-wrong-ca/c']) {
        const { status, text } = await get(path)
        expect(status).toBe(503)
        expect(text).toStartWith('upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS_error:')
      }
    })

    test('match_subject_alt_names: a matching SAN passes, none matching is 503 UF', async () => {
      expect((await get('/san-ok/d')).status).toBe(200)
      const bad = await get('/san-bad/d')
      expect(bad.status).toBe(503)
      expect(bad.text).toContain('transport failure reason: TLS_error:ERR_TLS_CERT_ALTNAME_INVALID')
    })

    test('a client certificate is presented to an upstream that asks for one', async () => {
      const seen = JSON.parse((await get('/client-cert/e')).text) as Seen
      expect(seen.clientCertificate).toBe('edgeway test client')
    })

    test('insecure_skip_verify reaches a certificate that names neither the SNI nor a trusted CA', async () => {
      const { status, text } = await get('/insecure/f')
      expect(status).toBe(200)
      expect((JSON.parse(text) as Seen).sni).toBe('other.example')
    })

    test('admin /certs lists each TLS cluster with its CA and client certificate; /config_dump hides the key', async () => {
      const admin = proxy.url('admin')
      const { certificates } = (await (await fetch(`${admin}/certs`)).json()) as { certificates: { cluster?: string; ca_cert: { subject: string }[]; cert_chain: { subject: string }[] }[] }
      const client = certificates.find((c) => c.cluster === 'client-cert')!
      expect([client.ca_cert[0]?.subject, client.cert_chain[0]?.subject]).toEqual(['CN=edgeway test CA', 'CN=edgeway test client'])
      expect(certificates.find((c) => c.cluster === 'insecure')).toEqual({ cluster: 'insecure', ca_cert: [], cert_chain: [] })
      const dump = await (await fetch(`${admin}/config_dump`)).text()
      expect(dump).toContain('UpstreamTlsContext')
      expect(dump).not.toContain('PRIVATE KEY')
    })

    test('health checks reach the TLS cluster over TLS with its SNI', async () => {
      const check = await eventually('a TLS health check', async () => (await tlsUpstream.seen()).find((s) => s.path === '/healthz-tls'))
      expect([check.sni, check.alpn]).toEqual(['a.test', 'http/1.1'])
      expect((await get('/checked/g')).status).toBe(200)
    })
  })
}

describe('upstream TLS at config load', () => {
  test('a cluster without validation_context loads with one warning that it is unverified', async () => {
    const path = group.write('unverified', clustersYaml().replace('tls: { sni: other.example, insecure_skip_verify: true }', 'tls: { sni: other.example }'))
    const run = spawnEdgeway(['--mode', 'validate', '-c', path])
    expect(await run.exited).toBe(0)
    const lines = (run.stdout() + run.stderr()).split('\n').filter((l) => l.includes('not verified'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('clusters[8].tls')
  })

  test('validation_context with insecure_skip_verify, or a CA that is no certificate, exits 1 naming the path', async () => {
    const path = group.write('contradiction', clustersYaml().replace('tls: { sni: other.example, insecure_skip_verify: true }', `tls: { insecure_skip_verify: true, validation_context: { trusted_ca: { inline_string: "not a pem" } } }`))
    const run = spawnEdgeway(['--mode', 'validate', '-c', path])
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toContain('clusters[8].tls.insecure_skip_verify: contradicts validation_context')
    expect(run.stderr()).toContain('clusters[8].tls.validation_context.trusted_ca: is not a PEM certificate')
    expect(run.stderr()).not.toContain('    at ')
  })
})

// Pins why Bun's HTTP/2 clusters go through node:http2 (src/adapter/bun.ts): when this starts
// passing h2 through, Bun's own HTTP/2 client can carry them.
describe('runtime limits', () => {
  test("Bun's fetch with protocol http2 fails with HTTP2Unsupported once tls.checkServerIdentity is set, and speaks h2 without it", async () => {
    const tls = { ca: certs.pem(certs.crt('ca')), servername: 'a.test' }
    const url = `https://127.0.0.1:${tlsUpstream.port}/pin`
    const plain = await fetch(url, { tls, protocol: 'http2' } as RequestInit)
    expect(((await plain.json()) as Seen).httpVersion).toBe('2.0')
    const checked = await fetch(url, { tls: { ...tls, checkServerIdentity: () => undefined }, protocol: 'http2' } as RequestInit).catch((error: { code?: string }) => error.code)
    expect(checked).toBe('HTTP2Unsupported')
  })
})
