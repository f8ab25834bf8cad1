import { describe, expect, test } from 'bun:test'
import type { HashPolicy } from '../config/model.ts'
import { combineHashes, xxHash64 } from '../upstream/lb/hash.ts'
import { requestHash } from './hash-policy.ts'
import { loadXxHash64 } from '../upstream/lb/xxhash64.ts'

// xxHash64 loads on demand in edgeway (src/lifecycle/config-engines.ts); these tests hash directly.
await loadXxHash64()

const inputs = (headers: Record<string, string>, sourceIp = '10.0.0.7', query = '') => ({ headers: new Headers(headers), sourceIp, query })

describe('requestHash', () => {
  test('header, cookie, query parameter and source IP each hash their value with xxHash64, as Envoy', () => {
    const h = (policy: HashPolicy, i = inputs({ 'x-user': 'ann', cookie: 'a=1; session="s-42"' }, '10.0.0.7', 'tenant=t%209&tenant=x')) => requestHash([policy], i)
    expect(h({ kind: 'header', name: 'x-user', terminal: false })).toBe(xxHash64('ann'))
    // Envoy's parseCookieValue strips the quotes; its query parser keeps the first value undecoded.
    expect(h({ kind: 'cookie', name: 'session', terminal: false })).toBe(xxHash64('s-42'))
    expect(h({ kind: 'query_parameter', name: 'tenant', terminal: false })).toBe(xxHash64('t%209'))
    expect(h({ kind: 'source_ip', terminal: false })).toBe(xxHash64('10.0.0.7'))
    // Envoy's HashUtil test value for "foo": the hash is Envoy's, not a look-alike.
    expect(h({ kind: 'header', name: 'x-user', terminal: false }, inputs({ 'x-user': 'foo' }))).toBe(3728699739546630719n)
  })

  test('no value anywhere: no hash (the balancer picks at random); an empty cookie is no value', () => {
    expect(requestHash([{ kind: 'header', name: 'x-user', terminal: false }, { kind: 'cookie', name: 'session', terminal: false }], inputs({ cookie: 'session=' }))).toBeUndefined()
  })

  test('values fold together with Envoy\'s 64-bit rotate-left-1 xor; terminal ends the list once a hash exists', () => {
    const user = { kind: 'header', name: 'x-user', terminal: false } as const
    const ip = { kind: 'source_ip', terminal: false } as const
    const tenant = { kind: 'query_parameter', name: 'tenant', terminal: false } as const
    expect(requestHash([user, ip], inputs({ 'x-user': 'ann' }))).toBe(combineHashes(xxHash64('ann'), xxHash64('10.0.0.7')))
    expect(requestHash([{ ...user, terminal: true }, ip], inputs({ 'x-user': 'ann' }))).toBe(xxHash64('ann'))
    // A terminal policy without a value, and no hash before it, does not stop the list...
    expect(requestHash([{ ...user, terminal: true }, ip], inputs({}))).toBe(xxHash64('10.0.0.7'))
    // ...but with an earlier hash it does (Envoy checks the running hash, not the policy's own).
    expect(requestHash([ip, { ...user, terminal: true }, tenant], inputs({}, '10.0.0.7', 'tenant=t9'))).toBe(xxHash64('10.0.0.7'))
  })

  test('combineHashes keeps all 64 bits: the top bit rotates into bit 0', () => {
    expect(combineHashes(0x8000000000000001n, 0n)).toBe(3n)
    expect(combineHashes(0xffffffffffffffffn, 0xffffffffffffffffn)).toBe(0n)
  })
})
