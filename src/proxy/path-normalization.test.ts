import { describe, expect, test } from 'bun:test'
import { mergeSlashes, normalizePath } from './path-normalization.ts'

describe('normalizePath', () => {
  // Each expectation is what Bun.serve's request.url showed for the same raw request target.
  const cases: [string, string][] = [
    ['/service/1/../../up/secret', '/up/secret'],
    ['/service/1/./a/../b', '/service/1/b'],
    ['/a%2fb%2e%2e/%2E%2E/c', '/c'],
    ['/a/.%2E/b/%2e./c', '/c'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../a', '/a'],
    ['/a/.../b', '/a/.../b'],
    ['/a;b=c/../d', '/d'],
    ['/a\\b', '/a/b'],
    ['/a"b<c>{d}|e^f`g\'h%41%2f', '/a%22b%3Cc%3E%7Bd%7D|e%5Ef%60g\'h%41%2f'],
    ['/a\x7fb', '/a%7Fb'],
    ['//service//1//x', '//service//1//x'],
    ['/', '/'],
    ['/.', '/'],
    ['/..', '/'],
    ['/plain/path.html', '/plain/path.html'],
    ['/a b\x01c', '/a%20b%01c'],
  ]
  for (const [raw, normalized] of cases) test(`${JSON.stringify(raw)} -> ${normalized}`, () => expect(normalizePath(raw)).toBe(normalized))

  test('a path with none of the characters it acts on comes back as the same string', () => {
    const plain = '/service/1/big;v=1~x!$&()*+,=:@|[]-_é'
    expect(normalizePath(plain)).toBe(plain)
  })

  test('each character it acts on, alone in a path, is acted on (none slips past the quick check)', () => {
    const encoded: [string, string][] = [['"', '%22'], ['<', '%3C'], ['>', '%3E'], ['{', '%7B'], ['}', '%7D'], ['^', '%5E'], ['`', '%60'], [' ', '%20'], ['\x00', '%00'], ['\x1f', '%1F'], ['\x7f', '%7F'], ['\\', '/']]
    for (const [c, out] of encoded) expect(normalizePath(`/a${c}b`)).toBe(`/a${out}b`)
    expect(normalizePath('/a/./b')).toBe('/a/b')
    expect(normalizePath('/a/%2e/b')).toBe('/a/b')
  })

  test('is idempotent, so an already normalised (Bun) path is left alone', () => {
    for (const [, normalized] of cases) expect(normalizePath(normalized)).toBe(normalized)
  })
})

describe('mergeSlashes', () => {
  test('collapses runs of slashes', () => {
    expect(mergeSlashes('//service//1///x/')).toBe('/service/1/x/')
    expect(mergeSlashes('/a/b')).toBe('/a/b')
  })
})
