import { describe, expect, test } from 'bun:test'
import type { HeaderToAdd } from '../config/model.ts'
import { compileHeaderRules } from './header-rules.ts'
import { compileHeaderTemplate, type VariableLookup } from './header-template.ts'
import { headerVariables } from './header-variables.ts'

const lookup = headerVariables({
  requestHeaders: new Headers({ 'x-user': 'ada', 'x-alt': 'alt' }),
  downstreamRemoteAddress: '10.0.0.7:51234',
  upstreamRemoteAddress: '127.0.0.11:8000',
  hostname: 'edge-1',
  startTimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
})

const add = (key: string, value: string, append = false): HeaderToAdd => ({ key, value, append })

describe('compileHeaderTemplate', () => {
  test('plain text is returned as is and never consults the lookup', () => {
    const template = compileHeaderTemplate('plain 100% value')
    expect(template(() => { throw new Error('looked up') })).toBe('plain 100% value')
  })

  test('standard variables', () => {
    const render = (value: string) => compileHeaderTemplate(value)(lookup)
    expect(render('%REQ(x-user)%')).toBe('ada')
    expect(render('%REQ(X-User)%')).toBe('ada')
    expect(render('%REQ(x-missing?x-alt)%')).toBe('alt')
    expect(render('%DOWNSTREAM_REMOTE_ADDRESS%')).toBe('10.0.0.7:51234')
    expect(render('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%')).toBe('10.0.0.7')
    expect(render('%UPSTREAM_REMOTE_ADDRESS%')).toBe('127.0.0.11:8000')
    expect(render('%HOSTNAME%')).toBe('edge-1')
    expect(render('%START_TIME%')).toBe('2024-01-02T03:04:05.678Z')
  })

  test('mixed literals and variables, and %% as an escaped percent', () => {
    expect(compileHeaderTemplate('user=%REQ(x-user)%; via %HOSTNAME% (100%%)')(lookup)).toBe('user=ada; via edge-1 (100%)')
  })

  test('unknown variables are left as written; known ones without a value become empty', () => {
    expect(compileHeaderTemplate('a-%NOT_A_VARIABLE%-b')(lookup)).toBe('a-%NOT_A_VARIABLE%-b')
    expect(compileHeaderTemplate('[%REQ(x-missing)%]')(lookup)).toBe('[]')
  })

  test('an injected lookup may resolve other names', () => {
    const custom: VariableLookup = (name, arg) => (name === 'ROUTE_NAME' ? 'r1' : name === 'META' ? `m:${arg}` : undefined)
    expect(compileHeaderTemplate('%ROUTE_NAME%/%META(k)%')(custom)).toBe('r1/m:k')
  })

  test('IPv6 downstream address without port drops the brackets', () => {
    const v6 = headerVariables({
      requestHeaders: new Headers(),
      downstreamRemoteAddress: '[::1]:4000',
      upstreamRemoteAddress: undefined,
      hostname: 'h',
      startTimeMs: 0,
    })
    expect(compileHeaderTemplate('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%|%UPSTREAM_REMOTE_ADDRESS%')(v6)).toBe('::1|')
  })
})

describe('compileHeaderRules', () => {
  test('replace vs append', () => {
    const headers = new Headers({ 'x-a': 'old', 'x-b': 'old' })
    compileHeaderRules([add('x-a', 'new'), add('x-b', 'more', true), add('x-c', 'fresh', true)], [])(headers, lookup)
    expect(headers.get('x-a')).toBe('new')
    expect(headers.get('x-b')).toBe('old, more')
    expect(headers.get('x-c')).toBe('fresh')
  })

  test('removes (case-insensitively) before adding', () => {
    const headers = new Headers({ 'x-secret': 's', 'x-keep': 'k', 'x-replace': 'r' })
    compileHeaderRules([add('x-replace', 'v', true)], ['X-Secret', 'x-replace'])(headers, lookup)
    expect(headers.has('x-secret')).toBe(false)
    expect(headers.get('x-keep')).toBe('k')
    expect(headers.get('x-replace')).toBe('v')
  })

  test('substitutes variables per call', () => {
    const mutate = compileHeaderRules([add('x-client', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%')], [])
    const headers = new Headers()
    mutate(headers, lookup)
    expect(headers.get('x-client')).toBe('10.0.0.7')
    mutate(headers, (name) => (name === 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT' ? '10.9.9.9' : undefined))
    expect(headers.get('x-client')).toBe('10.9.9.9')
  })

  test('a value that renders empty is not added', () => {
    const headers = new Headers({ 'x-from-user': 'kept' })
    compileHeaderRules([add('x-from-user', '%REQ(x-missing)%'), add('x-new', '%REQ(x-missing)%')], [])(headers, lookup)
    expect(headers.get('x-from-user')).toBe('kept')
    expect(headers.has('x-new')).toBe(false)
  })

  test('empty rule lists leave the headers untouched', () => {
    const headers = new Headers({ 'x-a': '1' })
    compileHeaderRules([], [])(headers, lookup)
    expect([...headers]).toEqual([['x-a', '1']])
  })
})
