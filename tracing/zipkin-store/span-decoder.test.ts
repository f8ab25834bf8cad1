import { describe, expect, test } from 'bun:test'
import { decodeSpans, decodeSpansJson } from './span-decoder.ts'

const base = { traceId: 'aaaaaaaaaaaaaaaa', id: 'bbbbbbbbbbbbbbbb' }

describe('decodeSpans', () => {
  test('normalises like Zipkin: lower-case names, nulls and zeros read as absent, bad IPs dropped', () => {
    const result = decodeSpans([
      { ...base, parentId: null, name: 'GET /X', timestamp: 0, duration: 12, localEndpoint: { serviceName: 'Front-Proxy', ipv4: '999.1.1.1', port: 0 }, remoteEndpoint: {}, tags: {}, annotations: [] },
    ])
    expect(result).toEqual({ ok: true, spans: [{ ...base, name: 'get /x', duration: 12, localEndpoint: { serviceName: 'front-proxy' } }] })
  })

  test('keeps every field the spec defines', () => {
    const span = {
      ...base, parentId: 'cccccccccccccccc', name: 'n', kind: 'CLIENT', timestamp: 1, duration: 2, debug: true, shared: true,
      localEndpoint: { serviceName: 's', ipv4: '10.0.0.1', port: 80 }, remoteEndpoint: { ipv6: '2001:db8::1' },
      annotations: [{ timestamp: 3, value: 'ws' }], tags: { k: 'v' },
    }
    expect(decodeSpans([span])).toEqual({ ok: true, spans: [span as never] })
  })

  test('rejects with the path of the first problem', () => {
    const cases: [unknown, string][] = [
      [{ id: base.id }, 'spans[0].traceId'],
      [{ ...base, id: 'nothex!!' }, 'spans[0].id'],
      [{ ...base, parentId: 'g' }, 'spans[0].parentId'],
      [{ ...base, kind: 'client' }, 'spans[0].kind'],
      [{ ...base, timestamp: 1.5 }, 'spans[0].timestamp'],
      [{ ...base, duration: '10' }, 'spans[0].duration'],
      [{ ...base, localEndpoint: 'svc' }, 'spans[0].localEndpoint'],
      [{ ...base, remoteEndpoint: { port: 70000 } }, 'spans[0].remoteEndpoint.port'],
      [{ ...base, tags: { n: 1 } }, 'spans[0].tags.n'],
      [{ ...base, annotations: [{ value: 'x' }] }, 'spans[0].annotations[0].timestamp'],
      [{ ...base, shared: 'yes' }, 'spans[0].shared'],
      ['span', 'spans[0]'],
    ]
    for (const [span, path] of cases) {
      const result = decodeSpans([span])
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.reason.startsWith(`${path}:`)).toBe(true)
    }
  })

  test('non-JSON and non-array bodies', () => {
    expect(decodeSpansJson('{')).toEqual({ ok: false, reason: 'body is not valid JSON' })
    expect(decodeSpansJson('{}')).toEqual({ ok: false, reason: 'expected a JSON array of spans' })
    expect(decodeSpansJson('[]')).toEqual({ ok: true, spans: [] })
  })
})
