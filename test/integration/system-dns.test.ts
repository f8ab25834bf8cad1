// DNS like the system resolver, against a real DNS server (dns2) that answers fully-qualified
// names only, as CoreDNS does in a pod: a resolv.conf fixture with a search list and ndots:5, a
// hosts file, dns_lookup_family; then the real CLI on Bun and on Deno resolving bare names.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSystemResolver } from '../../src/adapter/dns.ts'
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts'
import { ROOT, spawnEdgeway } from '../support/edgeway.ts'
import { stop, withTestRuntime } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const SEARCH = 'ns.svc.cluster.local svc.cluster.local cluster.local'
let dns: TestDnsServer
let dir: string
let resolvConf: string
let hosts: string
let upstream: Upstream

beforeAll(async () => {
  dns = await startDnsServer({
    records: {
      'service1.ns.svc.cluster.local': ['127.0.0.1'],
      'service2.ns.svc.cluster.local': ['127.0.0.31', '127.0.0.32', 'fd00::32'],
      'v6only.ns.svc.cluster.local': ['fd00::41'],
      'external.example.com': ['127.0.0.51'],
    },
  })
  upstream = await startUpstream({ name: 'app' })
  dir = mkdtempSync(join(tmpdir(), 'edgeway-sysdns-'))
  resolvConf = join(dir, 'resolv.conf')
  hosts = join(dir, 'hosts')
  writeResolvConf(SEARCH)
  writeFileSync(hosts, '127.0.0.1 localhost\n127.0.0.1 from-hosts-file\n10.7.7.7 service2\n')
})

afterAll(async () => {
  await dns.stop()
  await upstream.stop()
  rmSync(dir, { recursive: true, force: true })
})

function writeResolvConf(search: string): void {
  writeFileSync(resolvConf, `# test fixture\nnameserver ${dns.server}\nsearch ${search}\noptions ndots:5 timeout:1 attempts:1\n`)
}

const resolver = (family?: 'V4_ONLY' | 'V6_ONLY' | 'AUTO' | 'V4_PREFERRED' | 'ALL') => createSystemResolver({ resolvConfPath: resolvConf, hostsPath: hosts, ...(family && { family }) })

describe('system resolver (resolv.conf + hosts file)', () => {
  test('a bare name resolves through the search list; the DNS server only ever saw FQDNs for it', async () => {
    expect(await resolver().resolve('service1')).toEqual(['127.0.0.1'])
    expect(dns.queries('service1.ns.svc.cluster.local')).toBeGreaterThan(0)
    expect(dns.queries('service1')).toBe(0)
  })

  test('a name with dots below ndots walks the whole list, then itself; an absolute name is asked once', async () => {
    expect(await resolver().resolve('external.example.com')).toEqual(['127.0.0.51'])
    expect(dns.queries('external.example.com.ns.svc.cluster.local')).toBe(1)
    expect(dns.queries('external.example.com.cluster.local')).toBe(1)
    expect(await resolver().resolve('service1.ns.svc.cluster.local.')).toEqual(['127.0.0.1'])
    expect(dns.queries('service1.ns.svc.cluster.local.ns.svc.cluster.local')).toBe(0)
  })

  test('unknown everywhere: [] (an answer) after every candidate; SERVFAIL with nothing found rejects', async () => {
    expect(await resolver().resolve('nope')).toEqual([])
    for (const name of ['nope.ns.svc.cluster.local', 'nope.svc.cluster.local', 'nope.cluster.local', 'nope']) expect(dns.queries(name)).toBe(1)
    dns.setServfail('gone.cluster.local', true)
    await expect(resolver().resolve('gone')).rejects.toThrow()
  })

  test('the hosts file answers before DNS, for the name as written', async () => {
    const before = dns.queries('from-hosts-file.ns.svc.cluster.local')
    expect(await resolver().resolve('from-hosts-file')).toEqual(['127.0.0.1'])
    expect(dns.queries('from-hosts-file.ns.svc.cluster.local')).toBe(before)
    expect(await resolver().resolve('service2')).toEqual(['10.7.7.7'])
    expect(await resolver().resolve('service2.ns.svc.cluster.local')).toEqual(['127.0.0.31', '127.0.0.32'])
  })

  test('dns_lookup_family: V4_ONLY, V6_ONLY, AUTO (v6 then v4), V4_PREFERRED, ALL', async () => {
    const fqdn = 'service2.ns.svc.cluster.local'
    expect(await resolver('V6_ONLY').resolve(fqdn)).toEqual(['fd00::32'])
    expect(await resolver('AUTO').resolve(fqdn)).toEqual(['fd00::32'])
    expect(await resolver('AUTO').resolve('service1')).toEqual(['127.0.0.1'])
    expect(await resolver('V4_PREFERRED').resolve('v6only')).toEqual(['fd00::41'])
    expect(await resolver('V4_ONLY').resolve('v6only')).toEqual([])
    expect((await resolver('ALL').resolve(fqdn)).sort()).toEqual(['127.0.0.31', '127.0.0.32', 'fd00::32'])
  })

  test('an edited resolv.conf applies at the next resolution', async () => {
    const r = resolver()
    expect(await r.resolve('service1')).toEqual(['127.0.0.1'])
    writeResolvConf('elsewhere.example')
    try {
      expect(await r.resolve('service1')).toEqual([])
    } finally {
      writeResolvConf(SEARCH)
    }
  })
})

for (const runtime of ['bun', 'deno'] as const) {
  test(`${runtime}: the CLI with no dns_resolvers reaches bare-named strict_dns clusters (search list, hosts file)`, async () => {
    if (runtime === 'deno') expect(existsSync(`${ROOT}node_modules/.bin/deno`)).toBe(true)
    const config = join(dir, `${runtime}.yaml`)
    writeFileSync(
      config,
      `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - { match: { prefix: /dns }, route: { cluster: by_search_list } }
          - { match: { prefix: /hosts }, route: { cluster: by_hosts_file } }
clusters:
${['by_search_list:service1', 'by_hosts_file:from-hosts-file']
  .map((pair) => pair.split(':'))
  .map(([name, address]) => `  - { name: ${name}, type: strict_dns, dns_refresh_rate: 1s, load_assignment: { endpoints: [{ address: ${address}, port: ${upstream.port} }] } }`)
  .join('\n')}
`,
    )
    const edgeway = withTestRuntime(runtime, () => spawnEdgeway(['-c', config, '--concurrency', '1'], { EDGEWAY_RESOLV_CONF: resolvConf, EDGEWAY_HOSTS_FILE: hosts }))
    try {
      await edgeway.waitFor(/ingress_http on 127\.0\.0\.1:(\d+)/, 30_000)
      const port = /ingress_http on 127\.0\.0\.1:(\d+)/.exec(edgeway.stdout())![1]
      for (const path of ['/dns/a', '/hosts/b']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`)
        expect({ path, status: response.status }).toEqual({ path, status: 200 })
        expect(((await response.json()) as { path: string }).path).toBe(path)
      }
    } finally {
      await stop(edgeway)
    }
  }, 40_000)
}
