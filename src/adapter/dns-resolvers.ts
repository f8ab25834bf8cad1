// The DNS resolvers strict/logical DNS clusters use, on node:dns `promises.Resolver` (the one API
// that can name a server with a port, `setServers(['127.0.0.1:5353'])`, on Bun, Deno and Node).
// Loaded on a cluster's first resolution through dns.ts.
// With `dns_resolvers` a cluster asks those servers for the name as written; without, edgeway
// resolves as getaddrinfo/c-ares do: /etc/hosts, then resolv.conf's nameservers over its search list.

import { promises as dns } from 'node:dns'
import { readFile } from 'node:fs/promises'
import type { Resolver } from '../upstream/resolver.ts'
import { lookup, type DnsLookupFamily, type Query } from '../upstream/dns-lookup.ts'
import { parseHosts, type HostsTable } from '../upstream/hosts-file.ts'
import { candidateNames, parseResolvConf, type ResolvConf } from '../upstream/resolv-conf.ts'

export type ResolverOptions = {
  /** Per-try timeout. c-ares's own default (5 s × 4 tries, 25 s measured on Bun) would stall a 5 s refresh loop. */
  readonly timeoutMs?: number
  readonly tries?: number
  readonly family?: DnsLookupFamily
}

export type SystemResolverOptions = ResolverOptions & {
  /** Injectable so tests can use a fixture; EDGEWAY_RESOLV_CONF / EDGEWAY_HOSTS_FILE in main.ts. */
  readonly resolvConfPath?: string
  readonly hostsPath?: string
}

const DEFAULT_TIMEOUT_MS = 1_000
const DEFAULT_TRIES = 2

/** "The name has no such records": an answer, not a failure (see src/upstream/resolver.ts). */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA'])

/**
 * `servers` are `ip:port` strings: the name is asked as written (no search list, no hosts file),
 * as Envoy's c-ares with `no_default_search_domain`. IP literals and `localhost` are answered
 * without a query, so a cluster may list them as strict_dns endpoints.
 */
export function createResolver(servers: readonly string[], options: ResolverOptions = {}): Resolver {
  const query = queryVia(servers, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.tries ?? DEFAULT_TRIES)
  const family = options.family ?? 'V4_ONLY'
  return { resolve: (hostname) => lookup(hostname, { family, candidates: [hostname.replace(/\.$/, '')], query }) }
}

/**
 * Both files are read on every resolution (a few hundred bytes each, every dns_refresh_rate), so
 * an edited resolv.conf or hosts file applies at the next refresh, as glibc's reload does.
 * resolv.conf's `timeout`/`attempts` win over the defaults; a missing file means no search list
 * and the local nameserver, a missing hosts file an empty table.
 */
export function createSystemResolver(options: SystemResolverOptions = {}): Resolver {
  const resolvConfPath = options.resolvConfPath ?? '/etc/resolv.conf'
  const hostsPath = options.hostsPath ?? '/etc/hosts'
  const family = options.family ?? 'V4_ONLY'
  return {
    async resolve(hostname) {
      const [conf, hosts] = await Promise.all([readResolvConf(resolvConfPath), readHosts(hostsPath)])
      const timeoutMs = conf.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS
      const tries = conf.attempts ?? options.tries ?? DEFAULT_TRIES
      const query = queryVia(conf.nameservers, timeoutMs, tries)
      return lookup(hostname, { family, candidates: candidateNames(hostname, conf), hosts, query })
    },
  }
}

function queryVia(servers: readonly string[], timeout: number, tries: number): Query {
  return async (name, type) => {
    // A fresh Resolver per query: Bun's Resolver caches answers per instance for their TTL (tested:
    // 3 calls, 1 query), which would make refreshes miss a scale-up until the TTL ran out.
    // Node and Deno never cache, so this costs them nothing.
    const resolver = new dns.Resolver({ timeout, tries })
    if (servers.length > 0) resolver.setServers([...servers])
    try {
      return await (type === 'A' ? resolver.resolve4(name) : resolver.resolve6(name))
    } catch (error) {
      if (NO_RECORDS.has((error as { code?: string }).code ?? '')) return []
      throw error
    }
  }
}

async function readResolvConf(path: string): Promise<ResolvConf> {
  return parseResolvConf(await readFile(path, 'utf8').catch(() => ''))
}

async function readHosts(path: string): Promise<HostsTable> {
  return parseHosts(await readFile(path, 'utf8').catch(() => ''))
}
