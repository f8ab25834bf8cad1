import { describe, expect, test } from 'bun:test'
import { formatText } from '../access-log.ts'
import type { RequestInfo } from '../proxy/request-info.ts'
import { compileFormat, type FormatPlan, type FormatSpec } from './format-plan.ts'
import type { OperatorContext } from './command-operators.ts'

const ENVOY_DEFAULT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n'

const ctx: OperatorContext = { hostname: 'edge-1', env: (name) => ({ ZONE: 'eu-1' })[name], tls: false, localAddress: '127.0.0.1:8000', remoteAddress: (_info, ip) => ip }

function info(over: Partial<RequestInfo> = {}): RequestInfo {
  return {
    startTimeMs: Date.UTC(2026, 11, 2, 13, 4, 5, 67),
    startedAt: 0,
    endedAt: undefined,
    method: 'GET',
    path: '/service/1?x=1',
    authority: 'localhost:8000',
    forwardedFor: null,
    userAgent: 'curl/8.5.0',
    requestId: 'id-1',
    internal: true,
    tracingFields: false,
    protocol: 'HTTP/1.1',
    routeName: undefined,
    upstreamCluster: 'service1',
    upstreamClusterStats: undefined,
    upstreamHost: '127.0.0.11:8080',
    attempts: 1,
    status: 200,
    flags: '',
    details: 'via_upstream',
    bytesReceived: 0,
    bytesSent: 90,
    durationMs: 7,
    upstreamServiceTimeMs: 5,
    requestHeaders: new Headers({ 'user-agent': 'curl/8.5.0', host: 'localhost:8000', 'x-user': 'ada' }),
    responseHeaders: new Headers({ 'x-envoy-upstream-service-time': '5', 'content-type': 'text/plain' }),
    downstreamPeer: '127.0.0.1:51234',
    ...over,
  }
}

function plan(spec: FormatSpec): FormatPlan {
  const compiled = compileFormat(spec, ctx)
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems))
  return compiled
}

const problems = (spec: FormatSpec) => {
  const compiled = compileFormat(spec, ctx)
  return 'problems' in compiled ? compiled.problems : []
}

describe('text formats', () => {
  test("Envoy's documented default format gives the default line byte for byte", () => {
    const p = plan({ text: ENVOY_DEFAULT })
    const cases = [
      info(),
      info({ forwardedFor: '10.0.0.1', requestHeaders: new Headers({ 'x-forwarded-for': '10.0.0.1', 'user-agent': 'curl/8.5.0' }) }),
      info({ status: 503, flags: 'UF,URX', upstreamServiceTimeMs: undefined, responseHeaders: new Headers(), userAgent: null, requestHeaders: new Headers(), requestId: undefined, upstreamHost: undefined }),
    ]
    for (const c of cases) expect(p.format(c)).toBe(formatText(c))
  })

  test('unset values print -, or nothing with omit_empty_values; :N truncates', () => {
    expect(plan({ text: '%ROUTE_NAME% %REQ(X-NONE)% %REQ(USER-AGENT):4% %RESPONSE_FLAGS%' }).format(info())).toBe('- - curl -')
    expect(plan({ text: '[%ROUTE_NAME%][%REQ(X-NONE)%]', omitEmptyValues: true }).format(info())).toBe('[][]')
  })

  test('%REQ(a?b)% falls back; pseudo-headers, %RESP()%, addresses, hostname, environment', () => {
    const p = plan({ text: '%REQ(X-NONE?X-USER)% %REQ(:PATH)% %REQ_WITHOUT_QUERY(:PATH)% %REQ(:SCHEME)% %RESP(CONTENT-TYPE)% %DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_ADDRESS% %UPSTREAM_CLUSTER% %HOSTNAME% %ENVIRONMENT(ZONE)% %ENVIRONMENT(NONE)%' })
    expect(p.format(info())).toBe('ada /service/1?x=1 /service/1 http text/plain 127.0.0.1:51234 127.0.0.1 127.0.0.1:8000 service1 edge-1 eu-1 -')
    expect(p.needsPeer).toBe(true)
    expect(plan({ text: '%REQ(:PATH)%' }).needsPeer).toBe(false)
  })

  test('durations, attempts, details, transport failure reason', () => {
    const p = plan({ text: '%DURATION% %REQUEST_DURATION% %RESPONSE_DURATION% %RESPONSE_TX_DURATION% %UPSTREAM_REQUEST_ATTEMPT_COUNT% %RESPONSE_CODE_DETAILS% %UPSTREAM_TRANSPORT_FAILURE_REASON%' })
    expect(p.format(info())).toBe('7 0 5 2 1 via_upstream -')
    const failed = info({ status: 503, flags: 'UF,URX', details: 'upstream_reset_before_response_started{connection_failure}', upstreamServiceTimeMs: undefined, attempts: 3 })
    expect(p.format(failed)).toBe('7 0 - - 3 upstream_reset_before_response_started{connection_failure} connection_failure')
  })

  test('START_TIME formats: default, epoch seconds, strftime fields with fractions', () => {
    const p = plan({ text: '%START_TIME%|%START_TIME(%s)%|%START_TIME(%Y-%m-%dT%H:%M:%S.%3fZ)%|%START_TIME(%d/%b/%Y:%T %z)%|%START_TIME(%E3S %6f %f)%' })
    const ms = Date.UTC(2026, 11, 2, 13, 4, 5, 67)
    expect(p.format(info({ startTimeMs: ms }))).toBe(`2026-12-02T13:04:05.067Z|${Math.floor(ms / 1000)}|2026-12-02T13:04:05.067Z|02/Dec/2026:13:04:05 +0000|05.067 067000 067000000`)
  })
})

describe('JSON formats', () => {
  test('one operator alone keeps its type, mixed text is a string, unset is null; nesting and constants', () => {
    const p = plan({ json: { status: '%RESPONSE_CODE%', bytes: '%BYTES_SENT%', route: '%ROUTE_NAME%', line: '%REQ(:METHOD)% %REQ(:PATH)%', up: { cluster: '%UPSTREAM_CLUSTER%', host: '%UPSTREAM_HOST%' }, v: 2, flags: '%RESPONSE_FLAGS%' } })
    expect(JSON.parse(p.format(info()))).toEqual({ status: 200, bytes: 90, route: null, line: 'GET /service/1?x=1', up: { cluster: 'service1', host: '127.0.0.11:8080' }, v: 2, flags: '-' })
  })

  test('keys come out sorted, nested ones too, as Envoy writes them', () => {
    const p = plan({ json: { b: '%RESPONSE_CODE%', a: { z: 1, y: 2 }, c: 'x' } })
    expect(p.format(info())).toBe('{"a":{"y":2,"z":1},"b":200,"c":"x"}')
  })

  test('omit_empty_values drops keys whose operator is unset', () => {
    const p = plan({ json: { status: '%RESPONSE_CODE%', route: '%ROUTE_NAME%', ua: '%REQ(X-NONE)%' }, omitEmptyValues: true })
    expect(p.format(info())).toBe('{"status":200}')
  })
})

describe('problems at load', () => {
  test('an unknown operator is named; one Envoy has but edgeway cannot answer says why', () => {
    expect(problems({ text: '%RESPONSE_CODE% %NOPE%' })).toEqual([{ path: 'text_format', message: '%NOPE% is not a command operator edgeway knows (typo?, or not supported by edgeway)' }])
    expect(problems({ json: { id: '%CONNECTION_ID%' } })).toEqual([{ path: 'json_format.id', message: '%CONNECTION_ID% is not supported by edgeway (the runtimes do not number connections)' }])
  })

  test('arguments: missing, unexpected, bad time fields; a lone %', () => {
    expect(problems({ text: '%REQ%' })[0]!.message).toBe('%REQ(...)% needs an argument')
    expect(problems({ text: '%DURATION(x)%' })[0]!.message).toBe('%DURATION% takes no argument')
    expect(problems({ text: '%START_TIME(%Q)%' })[0]!.message).toContain('"%Q" is not a time field')
    expect(problems({ text: '100% sure' })[0]!.message).toContain('no command operator at position 3')
    expect(problems({ json: { a: '%NOPE%', b: { c: '%ALSO_NOPE%' } } }).map((p) => p.path)).toEqual(['json_format.a', 'json_format.b.c'])
  })
})
