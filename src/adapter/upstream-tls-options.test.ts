import { describe, expect, test } from 'bun:test'
import { checkSubjectAltNames, tlsClientOptions, tlsFailureReason } from './upstream-tls-options.ts'

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
