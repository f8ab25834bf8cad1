import { describe, expect, test } from 'bun:test'
import { checkSubjectAltNames, tlsClientOptions, tlsFailureReason, tlsFailureStat } from './upstream-tls-options.ts'

describe('upstream TLS options', () => {
  const san = 'DNS:a.test, DNS:localhost, IP Address:127.0.0.1'
  test('SAN matchers: none accepts any certificate; any SAN matching any matcher passes', () => {
    expect(checkSubjectAltNames(san, [])).toBeUndefined()
    expect(checkSubjectAltNames(san, [{ kind: 'exact', value: '127.0.0.1' }])).toBeUndefined()
    expect(checkSubjectAltNames(san, [{ kind: 'suffix', value: '.test' }])).toBeUndefined()
    expect(checkSubjectAltNames(san, [{ kind: 'contains', value: 'calho' }])).toBeUndefined()
    const error = checkSubjectAltNames(san, [{ kind: 'prefix', value: 'b.' }, { kind: 'exact', value: 'test' }]) as Error & { code: string }
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
    expect(error.message).toContain('a.test, localhost, 127.0.0.1')
    expect(checkSubjectAltNames('', [{ kind: 'exact', value: 'a' }])?.message).toContain('(none)')
  })

  test('verification follows the CA: none given = not verified (Envoy without a validation_context)', () => {
    expect(tlsClientOptions({ subjectAltNames: [] }).rejectUnauthorized).toBe(false)
    const verified = tlsClientOptions({ caPem: 'CA', serverName: 's', subjectAltNames: [], certificateChainPem: 'C', privateKeyPem: 'K' })
    expect([verified.rejectUnauthorized, verified.ca, verified.servername, verified.cert, verified.key]).toEqual([true, 'CA', 's', 'C', 'K'])
  })

  test('TLS failures get a reason, other failures none', () => {
    expect(tlsFailureReason({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' })).toBe('TLS_error:UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate')
    expect(tlsFailureReason({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'ERR_TLS_CERT_ALTNAME_INVALID fetching "https://x/"' })).toBe('TLS_error:ERR_TLS_CERT_ALTNAME_INVALID')
    expect(tlsFailureReason({ code: 'ECONNREFUSED', message: 'refused' })).toBeUndefined()
    expect(tlsFailureReason(undefined)).toBeUndefined()
  })
})

describe('the ssl.* counter of a failed handshake', () => {
  test("a chain that does not verify is fail_verify_error, not also connection_error (Envoy's drainErrorQueue)", () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      expect(tlsFailureStat({ code, message: 'x' })).toBe('fail_verify_error')
    }
  })

  test('no subject alt name matching (ours or the runtime hostname check) is fail_verify_san', () => {
    expect(tlsFailureStat(checkSubjectAltNames('DNS:a.test', [{ kind: 'exact', value: 'b.test' }]))).toBe('fail_verify_san')
    expect(tlsFailureStat({ code: 'HOSTNAME_MISMATCH' })).toBe('fail_verify_san')
  })

  test("other TLS failures are connection_error: a peer that speaks no TLS, the upstream's alert", () => {
    expect(tlsFailureStat({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' })).toBe('connection_error')
    expect(tlsFailureStat({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' })).toBe('connection_error')
    expect(tlsFailureStat({ code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' })).toBe('connection_error')
  })

  test('socket errors count in none (upstream_cx_* has them), nor does anything without a code', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']) expect(tlsFailureStat({ code, message: 'Client network socket disconnected before secure TLS connection was established' })).toBeUndefined()
    expect(tlsFailureStat(new Error('x'))).toBeUndefined()
    expect(tlsFailureStat(undefined)).toBeUndefined()
  })
})
