import { describe, expect, test } from 'bun:test'
import { connectTarget, requestTarget } from './request-target.ts'

describe('requestTarget', () => {
  test('takes the path and query from the target on both runtimes\' URL shapes', () => {
    expect(requestTarget('http://x/service/1/a?b=1', 'x')).toEqual({ authority: 'x', path: '/service/1/a', query: 'b=1' })
    expect(requestTarget('http://x.example:8000/', 'X.Example:8000')).toEqual({ authority: 'X.Example:8000', path: '/', query: '' })
    expect(requestTarget('http://[::1]:80/a', '[::1]:80')).toEqual({ authority: '[::1]:80', path: '/a', query: '' })
    // Bun without a usable authority: the URL is the target alone; no segment may be lost.
    expect(requestTarget('/evil/service/1/x', 'x')).toEqual({ authority: 'x', path: '/evil/service/1/x', query: '' })
    // Deno, absolute-form target: its authority is in the URL; the Host header decides routing.
    expect(requestTarget('http://other.example:81/service/1/x?q', 'x')).toEqual({ authority: 'x', path: '/service/1/x', query: 'q' })
  })

  test('missing, empty, invalid and repeated Host are refused', () => {
    expect(requestTarget('/evil/service/1/x', null)).toMatchObject({ code: 'missing_host_header' })
    for (const host of ['', 'a b', 'a/b', 'a@b', 'a:xx', 'a:123456', 'a\tb']) expect(requestTarget('http://a/x', host)).toMatchObject({ code: 'http1.invalid_authority' })
    expect(requestTarget('http://a/x', 'a.example, internal.example')).toMatchObject({ code: 'http1.duplicate_host', why: 'more than one Host header' })
  })

  test('each Host is judged on its own, after whichever Host the request before had', () => {
    // The last valid Host is remembered (a compare instead of the regex): what follows it is still checked.
    for (const host of ['x', 'a b', 'a b', 'x', '', '', 'x', 'x, y', 'x, y']) {
      const target = requestTarget('http://x/a', host)
      if (host === 'x') expect(target).toEqual({ authority: 'x', path: '/a', query: '' })
      else expect(target).toHaveProperty('code')
    }
    expect(requestTarget('http://a/x', '')).toMatchObject({ code: 'http1.invalid_authority' })
  })

  test('a fragment is refused, not routed or forwarded', () => {
    expect(requestTarget('http://x/service/1/x#frag', 'x')).toMatchObject({ code: 'http1.invalid_url', why: 'fragment in request target' })
    expect(requestTarget('http://x/a?b#c', 'x')).toMatchObject({ code: 'http1.invalid_url' })
  })
})

describe('connectTarget', () => {
  test('the authority a CONNECT names, in either runtime\'s URL shape, with an empty path', () => {
    expect(connectTarget('example.com:443')).toEqual({ authority: 'example.com:443', path: '', query: '' })
    expect(connectTarget('http://example.com:443')).toEqual({ authority: 'example.com:443', path: '', query: '' })
    expect(connectTarget('[::1]:8443')).toEqual({ authority: '[::1]:8443', path: '', query: '' })
  })

  test('a CONNECT without a port, with a path or with userinfo is refused as Envoy\'s codec refuses it', () => {
    for (const url of ['example.com', '/x', 'http://example.com:443/x', 'a@example.com:443', '[::1]', ''])
      expect(connectTarget(url)).toEqual({ code: 'http1.invalid_url', why: 'invalid CONNECT target' })
  })
})

