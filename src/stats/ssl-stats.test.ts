import { describe, expect, test } from 'bun:test'
import { SSL_COUNTERS } from './stat-names.ts'
import { StatsStore } from './stats-store.ts'

const values = (store: StatsStore) => Object.fromEntries(store.all().filter((s) => s.value !== 0).map((s) => [s.name, s.value]))

describe('a cluster ssl.* stats', () => {
  test("are Envoy's counters under cluster.<name>.ssl., made once per scope", () => {
    const store = new StatsStore()
    const stats = store.cluster('c')
    expect(stats.ssl()).toBe(stats.ssl())
    expect(store.all().filter((s) => s.name.includes('.ssl.')).map((s) => s.name)).toEqual(SSL_COUNTERS.map((n) => `cluster.c.ssl.${n}`).sort())
  })

  test('a handshake counts handshake, its version, cipher and curve; a reused session session_reused', () => {
    const store = new StatsStore()
    const ssl = store.cluster('c').ssl()
    ssl.tlsHandshake({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', sessionReused: false })
    ssl.tlsHandshake({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', curve: 'X25519', sessionReused: true })
    expect(values(store)).toEqual({
      'cluster.c.ssl.handshake': 2,
      'cluster.c.ssl.session_reused': 1,
      'cluster.c.ssl.versions.TLSv1.3': 1,
      'cluster.c.ssl.versions.TLSv1.2': 1,
      'cluster.c.ssl.ciphers.TLS_AES_128_GCM_SHA256': 1,
      'cluster.c.ssl.ciphers.ECDHE-ECDSA-AES128-GCM-SHA256': 1,
      'cluster.c.ssl.curves.X25519': 1,
    })
  })

  test("values outside the known lists count in Envoy's fallback names: the store stays bounded", () => {
    const store = new StatsStore()
    const ssl = store.cluster('c').ssl()
    const before = store.all().length
    for (let i = 0; i < 1000; i++) ssl.tlsHandshake({ version: `v${i}`, cipher: `C${i}`, curve: `K${i}`, sessionReused: false })
    expect(store.all().length).toBe(before + 3)
    expect(values(store)).toMatchObject({ 'cluster.c.ssl.versions.unknown_ssl_version': 1000, 'cluster.c.ssl.ciphers.unknown_ssl_cipher': 1000, 'cluster.c.ssl.curves.unknown_ssl_curve': 1000 })
  })

  test('failures count in their own counter only', () => {
    const store = new StatsStore()
    const ssl = store.cluster('c').ssl()
    ssl.tlsFailed('fail_verify_error')
    ssl.tlsFailed('fail_verify_san')
    ssl.tlsFailed('connection_error')
    expect(values(store)).toEqual({ 'cluster.c.ssl.fail_verify_error': 1, 'cluster.c.ssl.fail_verify_san': 1, 'cluster.c.ssl.connection_error': 1 })
  })
})
