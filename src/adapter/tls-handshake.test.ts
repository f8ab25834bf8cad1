import { describe, expect, test } from 'bun:test'
import { handshakeOf } from './tls-handshake.ts'

const socket = (overrides: Record<string, unknown>) =>
  ({
    getProtocol: () => 'TLSv1.2',
    getCipher: () => ({ name: 'ECDHE-ECDSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' }),
    getEphemeralKeyInfo: () => ({ type: 'ECDH', name: 'prime256v1', size: 256 }),
    isSessionReused: () => false,
    ...overrides,
  }) as unknown as Parameters<typeof handshakeOf>[0]

describe('handshakeOf', () => {
  test("OpenSSL's cipher name (as Envoy prints it) and BoringSSL's curve name", () => {
    expect(handshakeOf(socket({}))).toEqual({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', curve: 'P-256', sessionReused: false })
    expect(handshakeOf(socket({ getEphemeralKeyInfo: () => ({ type: 'ECDH', name: 'X25519', size: 253 }) })).curve).toBe('X25519')
  })

  test('what the runtime does not know is left out: no key info (TLS 1.3 on Bun, Deno), no protocol', () => {
    const bare = handshakeOf(socket({ getEphemeralKeyInfo: () => ({}), getProtocol: () => null, isSessionReused: () => true }))
    expect(bare).toEqual({ version: undefined, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', curve: undefined, sessionReused: true })
    expect(handshakeOf(socket({ getEphemeralKeyInfo: undefined })).curve).toBeUndefined()
  })
})
