// Config input that used to pass validation and then misbehave: non-RE2 regexes, alias bombs,
// durations past the timer limit, zero intervals and addresses that are not addresses.

import { describe, expect, test } from 'bun:test'
import { ConfigError } from './config-error.ts'
import { parseConfig } from './load-config.ts'

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'test.yaml', { env: () => undefined })
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`)
    throw error
  }
  throw new Error('expected a ConfigError')
}

const config = (o: { listener?: string; match?: string; route?: string; cluster?: string; endpoint?: string; top?: string } = {}) => `
${o.top ?? ''}
listeners:
  - name: l
    port: 8000
    ${o.listener ?? ''}
    virtual_hosts:
      - name: v
        domains: ["*"]
        routes:
          - match: { ${o.match ?? 'prefix: /'} }
            route: { cluster: c${o.route ?? ''} }
clusters:
  - name: c
    type: strict_dns
    ${o.cluster ?? ''}
    load_assignment: { endpoints: [ { address: ${o.endpoint ?? '127.0.0.1'}, port: 80 } ] }
`
const ROUTE = 'listeners[0].virtual_hosts[0].routes[0]'

describe('regexes are RE2, checked at load with every other problem', () => {
  test('a lookahead, a backreference and a possessive quantifier: each with its path and reason', () => {
    const found = problems(
      config({
        match: `safe_regex: { regex: "/a(?=b)" }, headers: [ { name: x-a, safe_regex_match: { regex: '(a)\\1' } }, { name: x-b, string_match: { safe_regex: { regex: "a++" } } } ]`,
        route: ', timeout: soon',
      }),
    )
    expect(found).toEqual([
      `${ROUTE}.match.safe_regex.regex: not a valid RE2 pattern (invalid or unsupported Perl syntax: \`(?=\`)`,
      `${ROUTE}.match.headers[0].safe_regex_match.regex: not a valid RE2 pattern (invalid escape sequence: \`\\1\`)`,
      `${ROUTE}.match.headers[1].string_match.safe_regex.regex: not a valid RE2 pattern (invalid nested repetition operator: \`++\`)`,
      `${ROUTE}.route.timeout: expected a duration like "0.25s", "250ms" or "15s", got "soon"`,
    ])
  })

  test('an RE2 pattern that backtracks badly in JS loads, and the route answers a crafted path at once', () => {
    const loaded = parseConfig(config({ match: 'safe_regex: { regex: "/user/([a-z0-9]+-?)*/profile" }' }), 't', { env: () => undefined })
    expect(loaded.listeners[0]!.virtualHosts[0]!.routes[0]!.match.safeRegex).toBe('/user/([a-z0-9]+-?)*/profile')
  })
})

describe('YAML alias bomb', () => {
  test('one issue naming the first alias, no expansion', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]']
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']])
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`)
    const started = performance.now()
    expect(problems(`${laughs.join('\n')}\nlisteners: []\n`)).toEqual([
      'line 2:8: YAML aliases expand past 100 nodes (an alias bomb?): write the repeated values out or use fewer aliases',
    ])
    expect(performance.now() - started).toBeLessThan(5000)
  })

  test('a few aliases for shared settings still load', () => {
    const yaml = config({ cluster: 'circuit_breakers: &cb { thresholds: [ { max_connections: 10 } ] }' }) + '  - name: d\n    circuit_breakers: *cb\n    load_assignment: { endpoints: [ { address: 127.0.0.1, port: 81 } ] }\n'
    const loaded = parseConfig(yaml, 't', { env: () => undefined })
    expect(loaded.clusters.map((c) => c.circuitBreakers.maxConnections)).toEqual([10, 10])
  })
})

describe('durations', () => {
  test('at or past 2^31 ms (setTimeout fires at once) is rejected with the path', () => {
    expect(problems(config({ route: ', timeout: 2147484s' }))).toEqual([
      `${ROUTE}.route.timeout: must be at most 2147483.647s (about 24.8 days, the longest timer a JS runtime keeps), got "2147484s"`,
    ])
    expect(problems(config({ route: ', timeout: 2147483648ms' }))[0]).toStartWith(`${ROUTE}.route.timeout: must be at most`)
    expect(problems(config({ cluster: 'dns_refresh_rate: 9999999999999999999999h' }))[0]).toStartWith('clusters[0].dns_refresh_rate: must be at most')
    const loaded = parseConfig(config({ route: ', timeout: 2147483647ms' }), 't', { env: () => undefined })
    expect(loaded.listeners[0]!.virtualHosts[0]!.routes[0]!.timeoutMs).toBe(2 ** 31 - 1)
  })

  test('0 disables a route timeout but is refused where it would make a timer spin', () => {
    expect(parseConfig(config({ route: ', timeout: 0s' }), 't', { env: () => undefined }).listeners[0]!.virtualHosts[0]!.routes[0]!.timeoutMs).toBe(0)
    const found = problems(
      config({
        cluster: 'connect_timeout: 0.0001s\n    dns_refresh_rate: 0s\n    health_checks: [ { timeout: 0s, interval: 0ms, http_health_check: { path: / } } ]',
        route: ', retry_policy: { retry_on: 5xx, retry_back_off: { base_interval: 0s } }',
      }),
    )
    expect(found).toEqual([
      `${ROUTE}.route.retry_policy.retry_back_off.base_interval: must be above 0 (at least 1ms)`,
      'clusters[0].connect_timeout: must be above 0 (at least 1ms)',
      'clusters[0].dns_refresh_rate: must be above 0 (at least 1ms)',
      'clusters[0].health_checks[0].timeout: must be above 0 (at least 1ms)',
      'clusters[0].health_checks[0].interval: must be above 0 (at least 1ms)',
    ])
  })
})

describe('addresses', () => {
  test('listener and admin addresses must be IP literals', () => {
    expect(problems(config({ listener: 'address: 999.1.1.1', top: 'admin: { address: localhost, port: 9901 }' }))).toEqual([
      'admin.address: expected an IP address to bind, like 0.0.0.0, 127.0.0.1 or ::, got "localhost"',
      'listeners[0].address: "999.1.1.1" is not an IPv4 address (four numbers 0-255)',
    ])
    expect(parseConfig(config({ listener: 'address: "::"' }), 't', { env: () => undefined }).listeners[0]!.address).toBe('::')
  })

  test('endpoint addresses: an IP or a DNS name, never a mistyped IP', () => {
    for (const [address, problem] of [
      ['999.1.1.1', '"999.1.1.1" is not an IPv4 address (four numbers 0-255)'],
      ['1.2.3', '"1.2.3" is not an IPv4 address (four numbers 0-255)'],
      ['"bad name"', 'expected an IP address or a DNS name, got "bad name"'],
      ['a.123', 'expected an IP address or a DNS name, got "a.123"'],
      ['-leading.example', 'expected an IP address or a DNS name, got "-leading.example"'],
    ])
      expect(problems(config({ endpoint: address }))).toEqual([`clusters[0].load_assignment.endpoints[0].address: ${problem}`])
    for (const address of ['service1', 'front_proxy_service1_1', 'svc.ns.svc.cluster.local.', '10.0.0.1', '"::1"'])
      expect(() => parseConfig(config({ endpoint: address }), 't', { env: () => undefined })).not.toThrow()
  })

  test('dns_resolvers: ip:port or [ipv6]:port with a real IP and port', () => {
    const found = problems(config({ cluster: 'dns_resolvers: ["999.1.1.1:53", "10.0.0.2:0", "10.0.0.2:99999", "[10.0.0.2]:53", "::1:53", "10.0.0.2:53", "[::1]:53"]' }))
    expect(found).toEqual([
      'clusters[0].dns_resolvers[0]: expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "999.1.1.1:53": "999.1.1.1" is not an IP address',
      'clusters[0].dns_resolvers[1]: expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "10.0.0.2:0": port must be 1-65535',
      'clusters[0].dns_resolvers[2]: expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "10.0.0.2:99999": port must be 1-65535',
      'clusters[0].dns_resolvers[3]: expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "[10.0.0.2]:53": brackets go around an IPv6 address only',
      'clusters[0].dns_resolvers[4]: expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "::1:53"',
    ])
  })
})
