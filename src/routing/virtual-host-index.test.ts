import { describe, expect, test } from 'bun:test'
import type { VirtualHostConfig } from '../config/model.ts'
import { stripPort, VirtualHostIndex } from './virtual-host-index.ts'

function vhost(name: string, domains: string[]): VirtualHostConfig {
  return {
    name,
    domains,
    routes: [],
    retryPolicy: undefined,
    requireTls: 'none',
    fault: undefined,
    requestHeadersToAdd: [],
    requestHeadersToRemove: [],
    responseHeadersToAdd: [],
    responseHeadersToRemove: [],
  }
}

const index = new VirtualHostIndex([
  vhost('default', ['*']),
  vhost('prefix-short', ['api.*']),
  vhost('prefix-long', ['api.internal.*']),
  vhost('suffix-short', ['*.com']),
  vhost('suffix-long', ['*.example.com']),
  vhost('exact', ['www.example.com']),
  vhost('with-port', ['ported.test:8000']),
  vhost('any-port', ['b.local.service', 'b.local.service:*']),
])
const nameFor = (authority: string) => index.find(authority)?.name

describe('VirtualHostIndex', () => {
  test('exact domain beats every wildcard', () => {
    expect(nameFor('www.example.com')).toBe('exact')
  })

  test('suffix wildcards: longest first, and they beat prefix wildcards', () => {
    expect(nameFor('shop.example.com')).toBe('suffix-long')
    expect(nameFor('shop.other.com')).toBe('suffix-short')
    // Both `api.*` and `*.com` match: Envoy tries suffix wildcards first.
    expect(nameFor('api.foo.com')).toBe('suffix-short')
  })

  test('prefix wildcards: longest first, before the catch-all', () => {
    expect(nameFor('api.internal.net')).toBe('prefix-long')
    expect(nameFor('api.net')).toBe('prefix-short')
    expect(nameFor('unknown.net')).toBe('default')
  })

  test('a wildcard stands for at least one character', () => {
    expect(nameFor('.example.com')).toBe('suffix-short')
    expect(nameFor('api.')).toBe('default')
  })

  test('case-insensitive', () => {
    expect(nameFor('WWW.Example.COM')).toBe('exact')
  })

  test('authority with a port falls back to the domain without it', () => {
    expect(nameFor('www.example.com:8080')).toBe('exact')
    expect(nameFor('shop.example.com:443')).toBe('suffix-long')
  })

  test('a domain with a port matches only that port', () => {
    expect(nameFor('ported.test:8000')).toBe('with-port')
    expect(nameFor('ported.test:9000')).toBe('default')
    expect(nameFor('ported.test')).toBe('default')
  })

  test('`name:*` matches the name with any port', () => {
    expect(nameFor('b.local.service:9001')).toBe('any-port')
    expect(nameFor('b.local.service')).toBe('any-port')
  })

  test('first virtual host to claim a domain keeps it; no catch-all means no match', () => {
    const first = new VirtualHostIndex([vhost('one', ['a.test']), vhost('two', ['a.test'])])
    expect(first.find('a.test')?.name).toBe('one')
    expect(first.find('b.test')).toBeUndefined()
  })
})

describe('stripPort', () => {
  test('host names, IPv4 and IPv6 literals', () => {
    expect(stripPort('example.com:80')).toBe('example.com')
    expect(stripPort('example.com')).toBe('example.com')
    expect(stripPort('127.0.0.1:8000')).toBe('127.0.0.1')
    expect(stripPort('[::1]:8000')).toBe('[::1]')
    expect(stripPort('[::1]')).toBe('[::1]')
    expect(stripPort('::1')).toBe('::1')
  })
})

test('with only a `*` virtual host every authority gets it; with none, nothing matches', () => {
  const only = new VirtualHostIndex([vhost('all', ['*'])])
  for (const authority of ['x', 'WWW.Example.com:8000', '[::1]:80', '']) expect(only.find(authority)?.name).toBe('all')
  expect(new VirtualHostIndex([]).find('x')).toBeUndefined()
})

