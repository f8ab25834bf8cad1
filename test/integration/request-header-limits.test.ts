// The header-field limit and CONNECT through real listeners on Bun and Deno, over raw sockets: a
// configured max_request_headers_count (compact and Envoy's max_headers_count) answered with
// Envoy's 431, flag, details and counter; a limit the runtime's server would pre-empt refused at
// load; a CONNECT answered as Envoy answers one without CONNECT config (404 NR unless a route
// matches its empty path, then 403 upgrade_failed: here a safe_regex of .*), never forwarded.
// The same on the byte-level listener (EDGEWAY_LISTENER=bytes on Bun), whose parser refuses the
// head itself (counting field lines, as Envoy) and hands the path its 431 to answer and log.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually, ProcessGroup, type ProxyProcess } from '../support/edgeway-processes.ts'
import { RawConnection } from '../support/raw-client.ts'
import { okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

const group = new ProcessGroup()
let upstream: ScriptedUpstream
const proxies = new Map<'bun' | 'deno' | 'bytes', ProxyProcess>()
let envoyProxy: ProxyProcess

const yaml = (upstreamPort: number) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    max_request_headers_count: 20
    access_log: { text_format: "LOG %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %REQ(:METHOD)%\\n" }
    virtual_hosts:
      - name: tunnel
        domains: ["tunnel.example:443"]
        routes: [{ match: { safe_regex: { regex: ".*" } }, route: { cluster: up } }]
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: up } }]
clusters:
  - name: up
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstreamPort} }] }
`

const envoyJson = (upstreamPort: number) => JSON.stringify({
  admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
  static_resources: {
    listeners: [{
      name: 'ingress',
      address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
      filter_chains: [{ filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          stat_prefix: 'ingress',
          common_http_protocol_options: { max_headers_count: { value: 5 } },
          route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }] }] },
          http_filters: [{ name: 'envoy.filters.http.router' }],
        },
      }] }],
    }],
    clusters: [{ name: 'up', type: 'STATIC', load_assignment: { cluster_name: 'up', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: upstreamPort } } } }] }] } }],
  },
})

beforeAll(async () => {
  upstream = await startScriptedUpstream((_request, socket) => reply(socket, okResponse('ok')))
  for (const runtime of ['bun', 'deno'] as const) proxies.set(runtime, await group.proxy(`header-limits-${runtime}`, yaml(upstream.port), {}, { runtime, startTimeoutMs: 30_000 }))
  proxies.set('bytes', await group.proxy('header-limits-bytes', yaml(upstream.port), { EDGEWAY_LISTENER: 'bytes' }, { runtime: 'bun', startTimeoutMs: 30_000 }))
  envoyProxy = await group.proxy('header-limits-envoy', envoyJson(upstream.port), {}, { runtime: 'bun' })
}, 60_000)

afterAll(async () => {
  await group.stopAll()
  await upstream?.stop()
})

/** A GET whose head has `fields` field lines, Host included. */
const withFields = (fields: number) => `GET /x HTTP/1.1\r\nHost: a.example\r\n${Array.from({ length: fields - 1 }, (_, i) => `X-F${i}: ${i}\r\n`).join('')}\r\n`

async function exchange(port: number, request: string) {
  const connection = await RawConnection.open(port)
  try {
    connection.send(request)
    const answer = await connection.response()
    if (answer === 'closed') throw new Error('closed without an answer')
    return answer
  } finally {
    connection.close()
  }
}

const counter = async (proxy: ProxyProcess, name: string) => {
  const text = await (await fetch(`${proxy.url('admin')}/stats?filter=${name}`)).text()
  return Number(new RegExp(`http\\.ingress\\.${name}: (\\d+)`).exec(text)?.[1])
}

const logged = (proxy: ProxyProcess, line: string) => eventually(line, async () => (proxy.process.stdout().includes(line) ? true : undefined))

for (const runtime of ['bun', 'deno', 'bytes'] as const) {
  describe(`on ${runtime === 'bytes' ? 'the byte listener' : runtime}`, () => {
    const proxy = () => proxies.get(runtime)!
    const port = () => proxy().port('ingress')

    test('max_request_headers_count: 20 fields pass, 21 get 431 with Envoy\'s details and flag, counted as header overflow', async () => {
      const before = await counter(proxy(), 'downstream_rq_header_overflow')
      expect((await exchange(port(), withFields(20))).status).toBe(200)
      const refused = await exchange(port(), withFields(21))
      expect([refused.status, refused.body, refused.headers.get('connection')]).toEqual([431, 'Request Header Fields Too Large', 'close'])
      expect(await counter(proxy(), 'downstream_rq_header_overflow')).toBe(before + 1)
      await logged(proxy(), 'LOG 431 DPE http1.too_many_headers GET')
    })

    test('CONNECT that no route takes: 404 NR route_not_found, counted as no_route, not forwarded, connection: close', async () => {
      const before = await counter(proxy(), 'no_route')
      const answer = await exchange(port(), 'CONNECT other.example:443 HTTP/1.1\r\nHost: other.example:443\r\n\r\n')
      expect([answer.status, answer.headers.get('connection')]).toEqual([404, 'close'])
      expect(await counter(proxy(), 'no_route')).toBe(before + 1)
      await logged(proxy(), 'LOG 404 NR route_not_found CONNECT')
    })

    test('CONNECT that a route matching the empty path takes: 403 upgrade_failed, counted as downstream_rq_ws_on_non_ws_route, never forwarded', async () => {
      const refused = await counter(proxy(), 'downstream_rq_ws_on_non_ws_route')
      const connections = upstream.connections()
      const received = Array.from({ length: connections }, (_, i) => upstream.received(i + 1).byteLength)
      const answer = await exchange(port(), 'CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n')
      expect([answer.status, answer.body, answer.headers.get('connection')]).toEqual([403, '', 'close'])
      await logged(proxy(), 'LOG 403 - upgrade_failed CONNECT')
      expect(await counter(proxy(), 'downstream_rq_ws_on_non_ws_route')).toBe(refused + 1)
      expect(upstream.connections()).toBe(connections)
      expect(Array.from({ length: connections }, (_, i) => upstream.received(i + 1).byteLength)).toEqual(received)
    })

    test('the CONNECT\'s target names the authority routed by, not its Host field', async () => {
      const answer = await exchange(port(), 'CONNECT tunnel.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n')
      expect(answer.status).toBe(403)
    })
  })
}

describe('from an Envoy bootstrap', () => {
  test('the HCM\'s common_http_protocol_options.max_headers_count is the listener\'s limit', async () => {
    const port = envoyProxy.port('ingress')
    expect((await exchange(port, withFields(5))).status).toBe(200)
    expect((await exchange(port, withFields(6))).status).toBe(431)
  })
})

describe('on the byte listener, lines of one name', () => {
  test('count one each against max_request_headers_count, as Envoy counts them: 20 lines pass, 21 get 431 (Bun.serve joins them into one field and serves)', async () => {
    const same = (lines: number) => `GET /x HTTP/1.1\r\nHost: a.example\r\n${'X-Same: 1\r\n'.repeat(lines - 1)}\r\n`
    expect((await exchange(proxies.get('bytes')!.port('ingress'), same(20))).status).toBe(200)
    expect((await exchange(proxies.get('bytes')!.port('ingress'), same(21))).status).toBe(431)
    expect((await exchange(proxies.get('bun')!.port('ingress'), same(21))).status).toBe(200)
  })
})

describe('a limit the runtime\'s own server would pre-empt', () => {
  for (const [runtime, limit] of [['bun', 198], ['deno', 128]] as const) {
    test(`is refused at load on ${runtime} above ${limit}, naming the field`, async () => {
      const path = group.write(`over-${runtime}`, yaml(upstream.port).replace('max_request_headers_count: 20', `max_request_headers_count: ${limit + 1}`))
      const run = group.spawn(['--mode', 'validate', '-c', path], {}, runtime)
      expect(await run.exited).toBe(1)
      expect(run.stderr()).toContain(`listeners[0].max_request_headers_count: ${limit + 1} header fields cannot be admitted on ${runtime === 'bun' ? 'Bun' : 'Deno'}`)
      const fits = group.write(`fits-${runtime}`, yaml(upstream.port).replace('max_request_headers_count: 20', `max_request_headers_count: ${limit}`))
      expect(await group.spawn(['--mode', 'validate', '-c', fits], {}, runtime).exited).toBe(0)
    }, 30_000)
  }

  test('is refused at load on Bun above 198 with EDGEWAY_LISTENER=bytes too, though the byte listener has no ceiling of its own (the check knows the runtime, not the listener)', async () => {
    const path = group.write('over-bytes', yaml(upstream.port).replace('max_request_headers_count: 20', 'max_request_headers_count: 199'))
    const run = group.spawn(['--mode', 'validate', '-c', path], { EDGEWAY_LISTENER: 'bytes' }, 'bun')
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toContain('listeners[0].max_request_headers_count: 199 header fields cannot be admitted on Bun')
  }, 30_000)
})
