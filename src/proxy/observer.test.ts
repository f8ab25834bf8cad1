import { expect, test } from 'bun:test'
import { proxyFixture } from './proxy.fixture.ts'
import type { RequestTrace, RequestTracer } from './request-tracer.ts'

/** A tracer that records the order of what it is told. */
function recordingTracer(calls: string[], forced = false): RequestTracer {
  return {
    start: (_request, info, _listener, _peer, facts) => {
      calls.push(`start ${info.path} internal=${facts?.internal}`)
      const trace: RequestTrace = {
        forced,
        routed: (_route, cluster) => void calls.push(`routed ${cluster}`),
        attempt: (attempt) => (calls.push(`attempt ${attempt.number} ${attempt.endpoint.key}`), attempt.fields.set('x-b3-spanid', `s${attempt.number}`)),
        attemptDone: (attempt, result) => void calls.push(`attemptDone ${attempt.number} ${result.kind === 'response' ? result.response.status : result.failure}`),
        end: (info) => void calls.push(`end ${info.status} ${info.bytesSent}`),
      }
      return trace
    },
  }
}

test('one observer fans out: the tracer hears every phase, stats count, the access log gets the finished record', async () => {
  const calls: string[] = []
  const f = proxyFixture({ tracer: recordingTracer(calls) })
  const response = await f.read('/service/1')
  expect(response.text).toBe('ok')
  expect(calls).toEqual(['start /service/1 internal=true', 'routed service1', 'attempt 1 10.0.0.1:8080', 'attemptDone 1 200', 'end 200 2'])
  expect(f.fetched[0]!.request.headers.get('x-b3-spanid')).toBe('s1')
  expect([f.stat('http.ingress_http.downstream_rq_2xx'), f.stat('http.ingress_http.downstream_rq_active'), f.stat('cluster.service1.upstream_rq_200')]).toEqual([1, 0, 1])
  expect(f.logged[0]).toMatchObject({ status: 200, bytesSent: 2, attempts: 1 })
})

test('a forced trace echoes x-request-id', async () => {
  const f = proxyFixture({ tracer: recordingTracer([], true) })
  const response = await f.read('/service/1')
  expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
})

test('a local reply is observed like an answer: the span ends with the reply status', async () => {
  const calls: string[] = []
  const f = proxyFixture({ tracer: recordingTracer(calls) })
  await f.read('/nowhere')
  expect(calls).toEqual(['start /nowhere internal=true', 'end 404 0'])
  expect(f.stat('http.ingress_http.downstream_rq_4xx')).toBe(1)
})
