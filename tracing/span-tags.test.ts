import { describe, expect, test } from 'bun:test'
import { SpanStatusCode, type SpanStatus } from '@opentelemetry/api'
import { httpUrlTag, isErrorStatus, requestTags, responseTags, setTags, tagResponse, TAG } from './span-tags.ts'

function recorder() {
  const attrs: Record<string, unknown> = {}
  let status: SpanStatus | undefined
  const span = {
    setAttribute(name: string, value: unknown) {
      attrs[name] = value
      return span
    },
    setStatus(s: SpanStatus) {
      status = s
      return span
    },
  }
  return { span: span as never, attrs, status: () => status }
}

describe('span tags', () => {
  test('names are Envoy’s', () => {
    expect((Object.values(TAG) as string[]).sort()).toEqual(
      [
        'guid:x-request-id',
        'http.url',
        'http.method',
        'http.protocol',
        'http.status_code',
        'upstream_cluster',
        'upstream_address',
        'request_size',
        'response_size',
        'response_flags',
        'user_agent',
        'component',
        'node_id',
        'error',
        'retry.count',
        'peer.address',
        'upstream_cluster.name',
      ].sort(),
    )
  })

  test('request tags: component proxy, user agent "-" when absent, empties skipped', () => {
    const r = recorder()
    setTags(r.span, requestTags({ requestId: '', url: 'http://localhost:8000/trace/1', method: 'GET', protocol: 'HTTP/1.1' }))
    expect(r.attrs).toEqual({
      'http.url': 'http://localhost:8000/trace/1',
      'http.method': 'GET',
      'http.protocol': 'HTTP/1.1',
      user_agent: '-',
      component: 'proxy',
    })
  })

  test('response tags are strings; 5xx and no response are errors with ERROR status', () => {
    const ok = recorder()
    tagResponse(ok.span, { status: 200, requestSize: 0, responseSize: 89, upstreamCluster: 'service1', upstreamAddress: '127.0.0.2:8000' })
    expect(ok.attrs).toEqual({
      'http.status_code': '200',
      response_flags: '-',
      request_size: '0',
      response_size: '89',
      upstream_cluster: 'service1',
      'upstream_cluster.name': 'service1',
      upstream_address: '127.0.0.2:8000',
    })
    expect(ok.status()).toBeUndefined()
    const failed = recorder()
    tagResponse(failed.span, { responseFlags: 'UF', retryCount: 2 })
    expect(failed.attrs).toMatchObject({ 'http.status_code': '0', response_flags: 'UF', error: 'true', 'retry.count': '2' })
    expect(failed.status()?.code).toBe(SpanStatusCode.ERROR)
    expect(responseTags({ status: 503 })[TAG.error]).toBe('true')
    expect(responseTags({ status: 404 })[TAG.error]).toBeUndefined()
  })

  test('http.url path truncated to max_path_tag_length; error statuses', () => {
    expect(httpUrlTag('http', 'h', '/' + 'a'.repeat(300))).toBe('http://h/' + 'a'.repeat(255))
    expect(httpUrlTag('https', 'h:8443', '/x', 1)).toBe('https://h:8443/')
    // Joined for V8 (Runtime.sequentialStrings): the same text as the template.
    expect(httpUrlTag('http', '127.0.0.1:8000', '/service/1?q=1', 256, true)).toBe('http://127.0.0.1:8000/service/1?q=1')
    expect(httpUrlTag('http', 'h', '/' + 'a'.repeat(300), 256, true)).toBe('http://h/' + 'a'.repeat(255))
    expect([undefined, 0, 499, 500, 503].map(isErrorStatus)).toEqual([true, true, false, true, true])
  })
})
