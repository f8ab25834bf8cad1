// Bun and Deno forward the same bytes for the same request: the same raw requests go to the real
// CLI on each runtime (edgeway's own HTTP/1.1 client on both), in front of an upstream that
// records each head as it arrived. The heads must be identical but for the values that are
// random per request (generated x-request-id, B3 ids), and the common ones are pinned byte for
// byte: the client's fields as edited, then the proxy's own block (x-forwarded-proto, the expected
// timeout, x-request-id, B3...), then Host when absent and the framing field. The response heads
// the proxy sends back are pinned too: its `server` and x-envoy-upstream-service-time where the
// upstream had its own, else after the upstream's fields (what each runtime's server adds aside).
// A third run on Bun with the byte-level listener (EDGEWAY_LISTENER=bytes) must route and forward
// the same bytes as Bun.serve, and send back the same response heads (Date, framing and the
// content-type Bun.serve adds aside).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { RawConnection } from '../support/raw-client.ts'
import { okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'
import { unusedEndpoint } from '../support/sockets.ts'

const listener = (name: string, extra: string, routes: string) => `
  - name: ${name}
    address: 127.0.0.1
    port: 0
    access_log: false
${extra}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:${routes}`

const ROUTES = `
          - match: { prefix: /rules }
            route: { cluster: up }
            # The route's rules see the proxy's own fields and win over them, as before the block.
            request_headers_to_add:
              - { header: { key: x-forwarded-proto, value: rule }, append: false }
              - { header: { key: x-request-id, value: rule-id }, append: false }
              - { header: { key: x-extra, value: "1" } }
            request_headers_to_remove: [x-envoy-expected-rq-timeout-ms]
          - match: { prefix: / }
            route: { cluster: up, timeout: 2s }
            # %REQ()% reads the request as forwarded: the proxy's own fields included.
            response_headers_to_add:
              - { header: { key: x-echo, value: "%REQ(x-request-id)% %REQ(x-forwarded-proto)% %REQ(x-b3-sampled)%" } }`

const untracedYaml = (upstreamPort: number) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:${listener('plain', '', ROUTES)}${listener('edge', '    use_remote_address: true', ROUTES)}${listener('anonymous', '    server_name: false', ROUTES)}
clusters:
  - name: up
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
`

const tracedYaml = (upstreamPort: number, collectorPort: number) => `
admin: { address: 127.0.0.1, port: 0 }
tracing:
  zipkin: { url: http://127.0.0.1:${collectorPort}/api/v2/spans }
listeners:${listener('unsampled', '    tracing: { random_sampling: 0 }', ROUTES)}
clusters:
  - name: up
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
`

/** [listener, raw request] in the order sent. */
const UNTRACED: [string, string][] = [
  ['plain', 'GET /a?q=1 HTTP/1.1\r\nHost: edge\r\nAccept: */*\r\nUser-Agent: t/1\r\n\r\n'],
  ['plain', 'GET /b HTTP/1.1\r\nHost: edge\r\nX-Request-Id: client-1\r\nX-Forwarded-Proto: https\r\nConnection: x-drop\r\nX-Drop: 1\r\nX-Envoy-Retry-On: 5xx\r\n\r\n'],
  ['plain', 'POST /c HTTP/1.1\r\nHost: edge\r\nContent-Length: 2\r\nX-A: 1\r\nX-A: 2\r\n\r\nhi'],
  ['plain', 'GET /rules HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['edge', 'GET /a HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['edge', 'GET /a HTTP/1.1\r\nHost: edge\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n\r\n'],
  // The upstream answers these with its own server and service time (UPSTREAM_ANSWERS).
  ['plain', 'GET /own-fields HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['plain', 'GET /own-fields-streamed HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['anonymous', 'GET /own-fields HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['anonymous', 'GET /a HTTP/1.1\r\nHost: edge\r\n\r\n'],
]

/** What the upstream answers a path with (else okResponse('ok')): its own server and service time amid its fields, whole or chunked. */
const UPSTREAM_ANSWERS: Record<string, string> = {
  '/own-fields': 'HTTP/1.1 200 OK\r\nx-first: 1\r\nServer: upstream/1.0\r\nX-Envoy-Upstream-Service-Time: 999\r\ncontent-length: 2\r\nx-last: 1\r\n\r\nok',
  '/own-fields-streamed': 'HTTP/1.1 200 OK\r\nServer: upstream/1.0\r\nx-mid: 1\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
}
const TRACED: [string, string][] = [
  ['unsampled', 'GET /a HTTP/1.1\r\nHost: edge\r\n\r\n'],
  ['unsampled', 'GET /a HTTP/1.1\r\nHost: edge\r\nX-B3-TraceId: 463ac35c9f6413ad\r\nX-B3-SpanId: a2fb4a1d1a96d312\r\nX-B3-Sampled: 0\r\n\r\n'],
  ['unsampled', 'GET /rules HTTP/1.1\r\nHost: edge\r\n\r\n'],
]

/** Values random per request, masked so two runtimes' heads compare. */
const RANDOM = /^(x-request-id|x-b3-traceid|x-b3-spanid|x-b3-parentspanid): (?!client-1$|rule-id$|463ac35c9f6413ad$|a2fb4a1d1a96d312$).*$/gm
const masked = (head: string) => head.replace(RANDOM, '$1: *')

/** The runs: each runtime's server, and Bun with the byte-level listener. */
const RUNS = [
  { run: 'bun', runtime: 'bun', env: {} },
  { run: 'deno', runtime: 'deno', env: {} },
  { run: 'bytes', runtime: 'bun', env: { EDGEWAY_LISTENER: 'bytes' } },
] as const

describe('Bun, Deno and the byte listener forward identical request heads', () => {
  const group = new ProcessGroup()
  let upstream: ScriptedUpstream
  const heads: Record<string, string[]> = {}
  const echoes: Record<string, (string | undefined)[]> = { bun: [], deno: [], bytes: [] }
  /** The response heads as the proxy sent them, in the order sent. */
  const answers: Record<string, string[]> = { bun: [], deno: [], bytes: [] }

  beforeAll(async () => {
    upstream = await startScriptedUpstream((request, socket) => {
      const path = /^\w+ (\S+)/.exec(request.head)![1]!
      reply(socket, UPSTREAM_ANSWERS[path] ?? okResponse('ok'))
    })
    const collector = await unusedEndpoint()
    for (const { run: runtime, runtime: on, env } of RUNS) {
      const sent = upstream.requests().length
      for (const [yaml, requests] of [
        [untracedYaml(upstream.port), UNTRACED],
        [tracedYaml(upstream.port, collector.port), TRACED],
      ] as const) {
        const proxy = await group.proxy(`parity-${runtime}-${requests.length}`, yaml, env, { runtime: on, startTimeoutMs: 30_000 })
        for (const [name, request] of requests) {
          const connection = await RawConnection.open(proxy.port(name))
          connection.send(request)
          const answer = await connection.response()
          connection.close()
          expect(answer === 'closed' ? 'closed' : answer.status).toBe(200)
          if (answer !== 'closed') echoes[runtime]!.push(answer.headers.get('x-echo'))
          if (answer !== 'closed') answers[runtime]!.push(answer.head)
        }
      }
      heads[runtime] = upstream.requests().slice(sent).map((r) => `${r.head}\r\n\r\n${Buffer.from(r.body).toString('latin1')}`)
    }
  }, 120_000)

  afterAll(async () => {
    await group.stopAll()
    await upstream?.stop()
  })

  test('every head is the same on both runtimes and both listeners, random ids aside', () => {
    expect(heads.bun).toHaveLength(UNTRACED.length + TRACED.length)
    expect(heads.deno!.map(masked)).toEqual(heads.bun!.map(masked))
    expect(heads.bytes!.map(masked)).toEqual(heads.bun!.map(masked))
  })

  test('the common request: the client fields, then the block (x-forwarded-proto, the expected timeout, x-request-id)', () => {
    for (const runtime of ['bun', 'deno', 'bytes']) {
      const [plain, clientSent, post, rules, edge, edgeSent] = heads[runtime]!.map(masked)
      expect(plain).toBe('GET /a?q=1 HTTP/1.1\r\naccept: */*\r\nhost: edge\r\nuser-agent: t/1\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\n\r\n')
      // Names the client sent are edited where they are; what must not cross does not.
      expect(clientSent).toBe('GET /b HTTP/1.1\r\nhost: edge\r\nx-forwarded-proto: https\r\nx-request-id: client-1\r\nx-envoy-expected-rq-timeout-ms: 2000\r\n\r\n')
      expect(post).toBe('POST /c HTTP/1.1\r\nhost: edge\r\nx-a: 1, 2\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\ncontent-length: 2\r\n\r\nhi')
      // The route's rules win: they replace the proxy's x-forwarded-proto and x-request-id and remove the timeout.
      expect(rules).toBe('GET /rules HTTP/1.1\r\nhost: edge\r\nx-extra: 1\r\nx-forwarded-proto: rule\r\nx-request-id: rule-id\r\n\r\n')
      expect(edge).toBe('GET /a HTTP/1.1\r\nhost: edge\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\nx-forwarded-for: 127.0.0.1\r\nx-envoy-internal: true\r\n\r\n')
      expect(edgeSent).toBe('GET /a HTTP/1.1\r\nhost: edge\r\nx-forwarded-for: 203.0.113.9, 127.0.0.1\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\nx-envoy-internal: true\r\n\r\n')
    }
  })

  test('%REQ()% in a response rule reads the request as forwarded, block and all', () => {
    for (const runtime of ['bun', 'deno', 'bytes']) {
      const ids = heads[runtime]!.map((head) => /\r\nx-request-id: ([^\r]*)/.exec(head)?.[1])
      const expected = [`${ids[0]} http`, 'client-1 https', `${ids[2]} http`, undefined, `${ids[4]} http`, `${ids[5]} http`, ...ids.slice(6, 10).map((id) => `${id} http`), `${ids[10]} http 0`, `${ids[11]} http 0`, undefined]
      expect(echoes[runtime]).toEqual(expected)
    }
  })

  test('tracing at 0 %: B3 goes out with x-b3-sampled: 0, in the block where none arrived, in place where it did', () => {
    for (const runtime of ['bun', 'deno', 'bytes']) {
      const [fresh, arrived, rules] = heads[runtime]!.slice(UNTRACED.length).map(masked)
      expect(fresh).toBe('GET /a HTTP/1.1\r\nhost: edge\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\nx-b3-traceid: *\r\nx-b3-spanid: *\r\nx-b3-parentspanid: *\r\nx-b3-sampled: 0\r\n\r\n')
      expect(arrived).toBe('GET /a HTTP/1.1\r\nhost: edge\r\nx-b3-parentspanid: *\r\nx-b3-sampled: 0\r\nx-b3-spanid: *\r\nx-b3-traceid: 463ac35c9f6413ad\r\nx-forwarded-proto: http\r\nx-envoy-expected-rq-timeout-ms: 2000\r\nx-request-id: *\r\n\r\n')
      expect(rules).toBe('GET /rules HTTP/1.1\r\nhost: edge\r\nx-b3-parentspanid: *\r\nx-b3-sampled: 0\r\nx-b3-spanid: *\r\nx-b3-traceid: *\r\nx-extra: 1\r\nx-forwarded-proto: rule\r\nx-request-id: rule-id\r\n\r\n')
    }
  })

  test("the response heads as sent: the proxy's server and service time where the upstream had its own, else after its fields", () => {
    // What each runtime's server writes itself (its date, framing and default type) is its own
    // affair; the time taken and the echo's random ids differ per run.
    const proxied = (head: string) =>
      head
        .split('\r\n')
        .filter((line) => !/^(date|content-length|content-type):/i.test(line))
        .map((line) => line.replace(/^(x-envoy-upstream-service-time|x-echo): .*$/, '$1: *'))
        .join('\r\n')
    const heads = { bun: answers.bun!.map(proxied), deno: answers.deno!.map(proxied), bytes: answers.bytes!.map(proxied) }
    expect(heads.deno).toEqual(heads.bun)
    // The byte listener's writer walks the fields in Bun.serve's order (the path's: the upstream's
    // own order with the proxy's fields in place), not Headers' sorted iteration.
    expect(heads.bytes).toEqual(heads.bun)
    // Bun.serve adds a content-type to a body the upstream left untyped; the writer adds none.
    const typed = (list: string[]) => list.map((head) => /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? null)
    expect(typed(answers.bytes!)).toEqual(answers.bytes!.map(() => null))
    expect(typed(answers.bun!)).toEqual(answers.bun!.map(() => 'application/octet-stream'))
    const [common] = heads.bun
    const [own, streamed, anonymousOwn, anonymous] = heads.bun.slice(6, 10)
    expect(common).toBe('HTTP/1.1 200 OK\r\nx-envoy-upstream-service-time: *\r\nserver: edgeway\r\nx-echo: *')
    expect(own).toBe('HTTP/1.1 200 OK\r\nx-first: 1\r\nserver: edgeway\r\nx-envoy-upstream-service-time: *\r\nx-last: 1\r\nx-echo: *')
    expect(streamed).toBe('HTTP/1.1 200 OK\r\nserver: edgeway\r\nx-mid: 1\r\nx-envoy-upstream-service-time: *\r\nx-echo: *')
    expect(anonymousOwn).toBe('HTTP/1.1 200 OK\r\nx-first: 1\r\nx-envoy-upstream-service-time: *\r\nx-last: 1\r\nx-echo: *')
    expect(anonymous).toBe('HTTP/1.1 200 OK\r\nx-envoy-upstream-service-time: *\r\nx-echo: *')
    // Never the upstream's 999: the proxy's own time replaced it.
    expect(answers.bun!.concat(answers.deno!, answers.bytes!).filter((head) => /service-time: 999/.test(head))).toEqual([])
  })
})
