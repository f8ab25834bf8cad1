// The Bun field walk for the response writer: the order the fields were set in (Bun's known names
// first, as Bun.serve writes them), Set-Cookie lines first and apart, repeats joined; forEach's
// walk where a Headers has no toJSON.

import { describe, expect, test } from 'bun:test'
import { bunResponseFields } from './bun-response-fields.ts'

function walked(headers: Headers): string[] {
  const out: string[] = []
  bunResponseFields(headers, (value, name) => out.push(`${name}: ${value}`))
  return out
}

describe('bunResponseFields', () => {
  test('fields in the order they were set, an edited one where it was, Set-Cookie first', () => {
    const headers = new Headers()
    headers.append('x-envoy-upstream-service-time', '1')
    headers.append('server', 'upstream')
    headers.append('set-cookie', 'a=1')
    headers.append('x-echo', 'e')
    headers.append('set-cookie', 'b=2')
    headers.append('x-a', '1')
    headers.append('X-A', '2')
    headers.set('server', 'edgeway')
    expect(walked(headers)).toEqual(['set-cookie: a=1', 'set-cookie: b=2', 'x-envoy-upstream-service-time: 1', 'server: edgeway', 'x-echo: e', 'x-a: 1, 2'])
  })

  test('the names Bun knows come first, as Bun.serve writes them', () => {
    const headers = new Headers([['x-custom', '1'], ['etag', '"e"'], ['content-type', 'text/plain']])
    expect(walked(headers)).toEqual(['etag: "e"', 'content-type: text/plain', 'x-custom: 1'])
  })

  test('a Headers-like object without toJSON is walked with forEach', () => {
    const plain = { forEach: (visit: (v: string, n: string) => void) => (visit('1', 'b'), visit('2', 'a')) } as unknown as Headers
    expect(walked(plain)).toEqual(['b: 1', 'a: 2'])
  })
})
