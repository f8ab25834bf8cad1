// The endpoint key's text (upstream_address, the pool's key, the attempt URL's authority): joined
// rather than templated (endpoint.ts says why), it must read as the template did.

import { describe, expect, test } from 'bun:test'
import { endpointKey } from './endpoint.ts'

describe('endpointKey', () => {
  test('an IPv4 address or a name is address:port', () => {
    expect(endpointKey('127.0.0.1', 24283)).toBe('127.0.0.1:24283')
    expect(endpointKey('service1', 8000)).toBe('service1:8000')
  })

  test('an IPv6 address is bracketed', () => {
    expect(endpointKey('::1', 8080)).toBe('[::1]:8080')
    expect(endpointKey('fd00:1:2::10', 443)).toBe('[fd00:1:2::10]:443')
  })
})
