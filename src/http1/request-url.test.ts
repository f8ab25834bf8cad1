// requestUrl on heads whose Bun.serve URL was measured (Bun 1.4.5; the differential test sends the
// same heads to a bare Bun.serve): the common heads take the concatenation, the others the
// canonical path and authority, and the two agree wherever both apply.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { encodeLatin1 } from './latin1.ts'
import { parseRequestHead, RequestHeadRecord } from './request-head.ts'
import { RequestHeadError } from './request-head-error.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from './request-head-limits.ts'
import { requestUrl } from './request-url.ts'
import { canonicalAuthority } from './url-host.ts'
import { canonicalTarget } from './url-path.ts'

function urlOf(target: string, host: string | null, method = 'GET', version = '1.1', scheme: 'http' | 'https' = 'http'): string | RequestHeadError {
  const head = `${method} ${target} HTTP/${version}\r\n${host === null ? '' : `Host: ${host}\r\n`}\r\n`
  return requestUrl(parseRequestHead(encodeLatin1(head), DEFAULT_REQUEST_HEAD_LIMITS, new RequestHeadRecord())!, scheme)
}

describe('requestUrl', () => {
  test.each([
    ['/', 'x', 'http://x/'],
    ['/a/b?c=d', '127.0.0.1:8000', 'http://127.0.0.1:8000/a/b?c=d'],
    ['/index.html', 'localhost:8000', 'http://localhost:8000/index.html'],
    ['/a/...', 'x', 'http://x/a/...'],
    ['/a/..;/b', 'x', 'http://x/a/..;/b'],
    ['/%41%zz%', 'x', 'http://x/%41%zz%'],
    ['/%2f%2F', 'x', 'http://x/%2f%2F'],
    ['//a//b', 'x', 'http://x//a//b'],
    ['/a|b[c]@:!$&()*+,;=~', 'x', 'http://x/a|b[c]@:!$&()*+,;=~'],
  ])('%s with Host %s is the concatenation', (target, host, url) => {
    expect(urlOf(target, host)).toBe(url)
  })

  test.each([
    ['/a\\b', 'http://x/a/b'],
    ['/a/./b', 'http://x/a/b'],
    ['/a/../b', 'http://x/b'],
    ['/../../b', 'http://x/b'],
    ['/%2e%2e/b', 'http://x/b'],
    ['/a/.%2E/', 'http://x/'],
    ['/a/..', 'http://x/'],
    ['/a/.', 'http://x/a/'],
    ['/a/..?q', 'http://x/?q'],
    ['/a/.#f', 'http://x/a/#f'],
    ['/a/..%2f', 'http://x/a/..%2f'],
    ['/a//..//b', 'http://x/a//b'],
    ['/a\\..\\b', 'http://x/b'],
    ['/a"<>^`{}b', 'http://x/a%22%3C%3E%5E%60%7B%7Db'],
    ["/p?a\"'<>^`{}\\b", "http://x/p?a%22%27%3C%3E^`{}\\b"],
    ['/p#a"\'<>`#\\b', "http://x/p#a%22'%3C%3E%60#\\b"],
    ['/a?b/../c', 'http://x/a?b/../c'],
    ['/a#b?c', 'http://x/a#b?c'],
    ['/?', 'http://x/?'],
  ])('%s is made canonical', (target, url) => {
    expect(urlOf(target, 'x')).toBe(url)
  })

  test.each([
    ['x:8000', 'http://x:8000/'],
    ['x:80', 'http://x/'],
    ['x:080', 'http://x/'],
    ['x:00081', 'http://x:81/'],
    ['x:', 'http://x/'],
    ['x:443', 'http://x:443/'],
    ['EXAMPLE.com', 'http://example.com/'],
    ['example.com.', 'http://example.com./'],
    ['[::1]:8000', 'http://[::1]:8000/'],
    ['[0000::1]:80', 'http://[::1]/'],
    ['[::1.2.3.4]', 'http://[::102:304]/'],
    ['0x7f.1', 'http://127.0.0.1/'],
    ['127.0.0.01', 'http://127.0.0.1/'],
    ['4294967295', 'http://255.255.255.255/'],
    ['1.2.3', 'http://1.2.0.3/'],
    ['1.2.3.4.', 'http://1.2.3.4/'],
    ['0x', 'http://0.0.0.0/'],
    ['0xg', 'http://0xg/'],
    ['1.a', 'http://1.a/'],
    ['%41%42', 'http://ab/'],
    ['%C3%BC', 'http://xn--tda/'],
    ['XN--A', 'http://xn--a/'],
    ['a_b', 'http://a_b/'],
  ])('Host %s gives the authority the URL parser writes', (host, url) => {
    expect(urlOf('/', host)).toBe(url)
  })

  test.each(['', 'a b', 'u@x', 'a<b', 'a"b', 'a`b', 'a{b', 'a|b', 'a/b', 'a?b', 'a#b', 'a\\b', 'a\tb', 'a\xe9b'])('Host %j is not used: the target as sent', (host) => {
    expect(urlOf('/p/../q', host)).toBe('/p/../q')
  })

  test('HTTP/1.0 without Host: the target as sent', () => {
    expect(urlOf('/p/../q', null, 'GET', '1.0')).toBe('/p/../q')
    expect(urlOf('http://other/a/../b', null, 'GET', '1.0')).toBe('/a/../b')
  })

  test.each([
    ['http://other/x', 'http://x/x'],
    ['HTTPS://Other:81/a/../b?q#f', 'http://x/b?q#f'],
    ['http://other', 'http://x/'],
    ['http://other?q', 'http://x/?q'],
    ['http://other?q/x', 'http://x/?q/x'],
    ['http://other\\a/../b', 'http://x/b'],
  ])('absolute-form %s: the Host makes the authority, the target the rest', (target, url) => {
    expect(urlOf(target, 'x')).toBe(url)
  })

  test.each([
    ['http://other#f', 'http://x/#f'],
    ['http://other#f/x', 'http://x/#f/x'],
  ])('absolute-form %s: a fragment right after the authority stays one (Bun routes what follows its first `/`: on purpose)', (target, url) => {
    expect(urlOf(target, 'x')).toBe(url)
  })

  test('CONNECT: the authority as sent', () => {
    expect(urlOf('EXAMPLE.com:0443', 'x', 'CONNECT')).toBe('EXAMPLE.com:0443')
  })

  test('OPTIONS *: refused with 400 as Bun.serve refuses it', () => {
    const refused = urlOf('*', 'x', 'OPTIONS')
    expect(refused).toBeInstanceOf(RequestHeadError)
    expect(refused).toMatchObject({ status: 400, code: 'http1.invalid_url' })
  })

  test('https: 443 is the default port, 80 is not', () => {
    expect(urlOf('/a', 'x:443', 'GET', '1.1', 'https')).toBe('https://x/a')
    expect(urlOf('/a', 'x:80', 'GET', '1.1', 'https')).toBe('https://x:80/a')
  })

  test('a Host the URL parser refuses keeps the path canonical (Bun leaves it raw: on purpose)', () => {
    expect(urlOf('/p/../q?a"b', 'x:99999')).toBe('http://x:99999/q?a%22b')
    expect(urlOf('/p/../q', 'a.1')).toBe('http://a.1/q')
    expect(urlOf('/p/../q', '256.1.1.1')).toBe('http://256.1.1.1/q')
  })
})

describe('the fast path agrees with the slow one', () => {
  test.each(['/', '/a/b?c=d', '/index.html', '//a//b', '/a/...', '/%41%zz', '/a.b/c..d/.e/..f', '/a?b/../c', '/a?%2e'])('target %s', (target) => {
    expect(canonicalTarget(target)).toBe(target)
  })

  test.each(['x', 'localhost:8000', '127.0.0.1:8000', '0.0.0.0', '255.255.255.255:65535', 'a-b_c.d', '1.a', 'a.b1'])('Host %s', (host) => {
    expect(canonicalAuthority(host, 'http')).toBe(host)
  })
})

describe('the one-pass checks never pass what the canonical pass would change', () => {
  const piece = fc.constantFrom('a', 'z', '0', '9', '/', '//', '.', '..', '%2e', '%2E', '%2', '%', '%41', '\\', '?', '#', '"', "'", '<', '>', '^', '`', '{', '}', '|', ';', '~', '-', '_')
  const target = fc.array(piece, { maxLength: 14 }).map((pieces) => `/${pieces.join('')}`)
  const hostPiece = fc.constantFrom('a', 'z', 'X', '0', '1', '9', '25', '255', '256', '0x', '.', '-', '_', ':', ':0', ':80', ':443', ':8000', ':080', ':65535', ':65536', '%41')
  const octet = fc.constantFrom('0', '00', '1', '01', '9', '10', '255', '256', '0x1', '')
  const quad = fc.tuple(fc.array(octet, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '.', ':8000', ':80')).map(([parts, end]) => parts.join('.') + end)
  const host = fc.oneof(fc.array(hostPiece, { minLength: 1, maxLength: 7 }).map((pieces) => pieces.join('')), quad.filter((h) => h !== ''))

  test('requestUrl is the canonical authority and target, whichever path it took', () => {
    fc.assert(
      fc.property(target, host, fc.constantFrom('http' as const, 'https' as const), (t, h, scheme) => {
        const slow = `${scheme}://${canonicalAuthority(h, scheme) ?? h}${canonicalTarget(t)}`
        // Twice: the second call meets the Host the first one may have remembered as plain.
        expect(urlOf(t, h, 'GET', '1.1', scheme)).toBe(slow)
        expect(urlOf(t, h, 'GET', '1.1', scheme)).toBe(slow)
      }),
      { numRuns: 3000 },
    )
  })
})
