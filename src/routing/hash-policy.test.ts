import { describe, expect, test } from 'bun:test'
import type { HashPolicy } from '../config/model.ts'
import { combineHashes, hash32 } from '../upstream/lb/hash.ts'
import { requestHash } from './hash-policy.ts'

const inputs = (headers: Record<string, string>, sourceIp = '10.0.0.7', query = '') => ({ headers: new Headers(headers), sourceIp, query })

describe('requestHash', () => {
  test('header, cookie, query parameter and source IP each hash their value', () => {
    const h = (policy: HashPolicy, i = inputs({ 'x-user': 'ann', cookie: 'a=1; session=s-42' }, '10.0.0.7', 'tenant=t9')) => requestHash([policy], i)
    expect(h({ kind: 'header', name: 'x-user', terminal: false })).toBe(hash32('ann'))
    expect(h({ kind: 'cookie', name: 'session', terminal: false })).toBe(hash32('s-42'))
    expect(h({ kind: 'query_parameter', name: 'tenant', terminal: false })).toBe(hash32('t9'))
    expect(h({ kind: 'source_ip', terminal: false })).toBe(hash32('10.0.0.7'))
  })

  test('no value anywhere: no hash (the balancer picks at random)', () => {
    expect(requestHash([{ kind: 'header', name: 'x-user', terminal: false }, { kind: 'cookie', name: 'session', terminal: false }], inputs({}))).toBeUndefined()
  })

  test('values fold together in order; a terminal policy that found a value ends the list', () => {
    const user = { kind: 'header', name: 'x-user', terminal: false } as const
    const ip = { kind: 'source_ip', terminal: false } as const
    expect(requestHash([user, ip], inputs({ 'x-user': 'ann' }))).toBe(combineHashes(hash32('ann'), hash32('10.0.0.7')))
    expect(requestHash([{ ...user, terminal: true }, ip], inputs({ 'x-user': 'ann' }))).toBe(hash32('ann'))
    // A terminal policy without a value does not stop the list.
    expect(requestHash([{ ...user, terminal: true }, ip], inputs({}))).toBe(hash32('10.0.0.7'))
  })
})
