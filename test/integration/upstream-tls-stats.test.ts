// Envoy's cluster.<name>.ssl.* for TLS clusters, counted by the HTTP/1.1 client's node:tls dial and
// the HTTP/2 client's sessions, against a real TLS upstream with openssl-made certificates, with
// edgeway on Bun and on Deno: one handshake per connection (not per request on it), its version and
// cipher; a chain or SAN that does not verify in its fail_verify_* counter (Envoy leaves those out of
// connection_error); an upstream that speaks no TLS in connection_error.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeTestCerts, type TestCerts } from '../support/certs.ts'
import { ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts'
import { clusterPerPrefixYaml } from '../support/cluster-per-prefix.ts'

let certs: TestCerts
let tlsUpstream: RecordingUpstream
let plainUpstream: RecordingUpstream
const group = new ProcessGroup()

beforeAll(async () => {
  certs = makeTestCerts()
  ;[tlsUpstream, plainUpstream] = await Promise.all([startRecordingUpstream(['tls', certs.crt('a.test'), certs.key('a.test'), certs.crt('ca')]), startRecordingUpstream(['h2c'])])
}, 30_000)

afterAll(async () => {
  await group.stopAll()
  await Promise.all([tlsUpstream?.stop(), plainUpstream?.stop()])
  certs.remove()
})

function clustersYaml(): string {
  const at = (port: number) => `endpoints: [{ address: 127.0.0.1, port: ${port} }] }`
  const ca = (name: string) => `validation_context: { trusted_ca: { filename: ${certs.crt(name)} }`
  const clusters: [string, string][] = [
    ['good', `${at(tlsUpstream.port)}\n    tls: { sni: a.test, ${ca('ca')} } }`],
    ['h2', `${at(tlsUpstream.port)}\n    http2_protocol_options: {}\n    tls: { sni: a.test, ${ca('ca')} } }`],
    ['wrong-ca', `${at(tlsUpstream.port)}\n    tls: { sni: a.test, ${ca('b.test')} } }`],
    ['san-bad', `${at(tlsUpstream.port)}\n    tls: { ${ca('ca')}, match_subject_alt_names: [{ exact: b.test }] } }`],
    ['h2-san-bad', `${at(tlsUpstream.port)}\n    http2_protocol_options: {}\n    tls: { ${ca('ca')}, match_subject_alt_names: [{ exact: b.test }] } }`],
    ['not-tls', `${at(plainUpstream.port)}\n    tls: { insecure_skip_verify: true }`],
    ['plain', at(plainUpstream.port)],
  ]
  return clusterPerPrefixYaml(clusters)
}

/** The body of Envoy's 503 UF local reply. */
const CONNECT_FAILURE = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

for (const runtime of ['bun', 'deno'] as const) {
  describe(`cluster ssl.* stats on ${runtime}`, () => {
    let proxy: ProxyProcess
    beforeAll(async () => {
      proxy = await group.proxy(`ssl-${runtime}`, clustersYaml(), {}, { runtime })
    }, 30_000)
    const get = async (path: string) => {
      const response = await fetch(`${proxy.url('ingress')}${path}`)
      return { status: response.status, text: await response.text() }
    }
    /** Every stat of `cluster.<name>.` with a value, by the name after that prefix. */
    const stats = async (cluster: string) => {
      const json = (await (await fetch(`${proxy.url('admin')}/stats?format=json&filter=${encodeURIComponent(`^cluster\\.${cluster}\\.`)}`)).json()) as { stats: { name?: string; value?: number }[] }
      const prefix = `cluster.${cluster}.`
      return Object.fromEntries(json.stats.filter((s) => s.name?.startsWith(prefix) && typeof s.value === 'number').map((s) => [s.name!.slice(prefix.length), s.value!]))
    }

    test('before any traffic a TLS cluster shows its ssl.* counters at 0; a plain cluster has none', async () => {
      const good = await stats('good')
      for (const name of ['handshake', 'connection_error', 'session_reused', 'no_certificate', 'fail_verify_error', 'fail_verify_san', 'fail_verify_no_cert']) expect(good[`ssl.${name}`]).toBe(0)
      expect(Object.keys(await stats('plain')).filter((n) => n.startsWith('ssl.'))).toEqual([])
    })

    test('a good handshake counts handshake, its version and cipher once; a second request on the pooled connection does not count again', async () => {
      expect((await get('/good/1')).status).toBe(200)
      expect((await get('/good/2')).status).toBe(200)
      const s = await stats('good')
      expect([s['upstream_cx_total'], s['ssl.handshake'], s['ssl.versions.TLSv1.3']]).toEqual([1, 1, 1])
      const ciphers = Object.entries(s).filter(([n, v]) => n.startsWith('ssl.ciphers.') && v > 0)
      expect(ciphers).toHaveLength(1)
      expect(TLS13_CIPHERS).toContain(ciphers[0]![0].slice('ssl.ciphers.'.length))
      expect([s['ssl.connection_error'], s['ssl.fail_verify_error'], s['ssl.fail_verify_san'], s['ssl.no_certificate'], s['ssl.session_reused']]).toEqual([0, 0, 0, 0, 0])
      const prometheus = await (await fetch(`${proxy.url('admin')}/stats/prometheus`)).text()
      expect(prometheus).toContain('envoy_cluster_ssl_handshake{envoy_cluster_name="good"} 1\n')
      expect(prometheus).toContain('envoy_cluster_ssl_versions{envoy_ssl_version="TLSv1.3",envoy_cluster_name="good"} 1\n')
      expect(prometheus).toContain(`envoy_cluster_ssl_ciphers{cipher_suite="${ciphers[0]![0].slice('ssl.ciphers.'.length)}",envoy_cluster_name="good"} 1\n`)
    })

    test('HTTP/2 over TLS: one handshake for the session its requests share', async () => {
      for (let i = 0; i < 3; i++) expect((await get(`/h2/${i}`)).status).toBe(200)
      const s = await stats('h2')
      expect([s['upstream_cx_http2_total'], s['ssl.handshake'], s['ssl.versions.TLSv1.3']]).toEqual([1, 1, 1])
    })

    test('a chain the CA did not sign: 503 UF with the TLS_error reason, fail_verify_error, not connection_error', async () => {
      const reply = await get('/wrong-ca/c')
      expect(reply.status).toBe(503)
      expect(reply.text).toStartWith(`${CONNECT_FAILURE}, transport failure reason: TLS_error:`)
      const s = await stats('wrong-ca')
      expect([s['ssl.fail_verify_error'], s['ssl.connection_error'], s['ssl.handshake'], s['ssl.fail_verify_san']]).toEqual([1, 0, 0, 0])
    })

    test('no subject alt name matching: fail_verify_san, over HTTP/1.1 and HTTP/2', async () => {
      for (const cluster of ['san-bad', 'h2-san-bad']) {
        const reply = await get(`/${cluster}/d`)
        expect(reply.status).toBe(503)
        expect(reply.text).toStartWith(`${CONNECT_FAILURE}, transport failure reason: TLS_error:ERR_TLS_CERT_ALTNAME_INVALID`)
        const s = await stats(cluster)
        expect([s['ssl.fail_verify_san'], s['ssl.fail_verify_error'], s['ssl.connection_error'], s['ssl.handshake']]).toEqual([1, 0, 0, 0])
      }
    })

    test('an upstream that speaks no TLS: connection_error', async () => {
      const reply = await get('/not-tls/e')
      expect(reply.status).toBe(503)
      const s = await stats('not-tls')
      expect([s['ssl.connection_error'], s['ssl.handshake'], s['ssl.fail_verify_error']]).toEqual([1, 0, 0])
    })
  })
}
