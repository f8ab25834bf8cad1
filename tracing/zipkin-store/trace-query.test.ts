import { describe, expect, test } from 'bun:test'
import { sampleTrace } from './sample-trace.ts'
import { findTraces, parseAnnotationQuery, parseTraceQuery, traceTimestampUs } from './trace-query.ts'

const NOW_MS = 1_700_000_000_000
const trace = sampleTrace({ traceId: '00000000000000a1', startUs: (NOW_MS - 1000) * 1000 })

function run(query: string): number {
  const parsed = parseTraceQuery(new URLSearchParams(query), NOW_MS)
  if (!parsed.ok) throw new Error(parsed.reason)
  return findTraces([trace], parsed.query).length
}

describe('trace queries', () => {
  test('annotationQuery terms', () => {
    expect([...parseAnnotationQuery('http.uri=/foo and retried')]).toEqual([['http.uri', '/foo'], ['retried', '']])
  })

  test('serviceName constrains the other criteria', () => {
    expect(run('serviceName=service2&annotationQuery=error')).toBe(1)
    expect(run('serviceName=service1&annotationQuery=error')).toBe(0)
    expect(run('serviceName=service1&remoteServiceName=service2')).toBe(1)
    expect(run('serviceName=Front-Proxy&spanName=GET%20/trace/2')).toBe(1)
    expect(run('serviceName=nobody')).toBe(0)
  })

  test('time window and durations', () => {
    expect(run(`endTs=${NOW_MS - 2000}`)).toBe(0)
    expect(run('lookback=500')).toBe(0)
    expect(run('minDuration=12400&maxDuration=12400')).toBe(1)
    expect(traceTimestampUs(trace)).toBe((NOW_MS - 1000) * 1000)
  })

  test('bad parameters are reasons, not exceptions', () => {
    for (const query of ['limit=0', 'minDuration=x', 'maxDuration=5', 'minDuration=10&maxDuration=5', 'endTs=1.5']) {
      expect(parseTraceQuery(new URLSearchParams(query), NOW_MS).ok).toBe(false)
    }
  })
})
