// The DNS resolver strict/logical DNS clusters use: node:dns `promises.Resolver`, the one API that
// can name a server with a port (`setServers(['127.0.0.1:5353'])`) on Bun, Deno and Node alike.

import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import type { Resolver } from '../upstream/resolver.ts'

export type ResolverOptions = {
  /** Per-try timeout. c-ares's own default (5 s × 4 tries, 25 s measured on Bun) would stall a 5 s refresh loop. */
  readonly timeoutMs?: number
  readonly tries?: number
}

/** "The name has no A records": an answer, not a failure (see src/upstream/resolver.ts). */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA'])

/**
 * `servers` are `ip:port` strings; empty = the system configuration (/etc/resolv.conf).
 * IP literals and `localhost` are answered without a query, so a cluster may list them as
 * strict_dns endpoints (Envoy's sidecar configs point `local_service` at 127.0.0.1).
 */
export function createResolver(servers: readonly string[], options: ResolverOptions = {}): Resolver {
  const timeout = options.timeoutMs ?? 1_000
  const tries = options.tries ?? 2
  return {
    async resolve4(hostname) {
      if (isIP(hostname)) return [hostname]
      if (hostname.toLowerCase() === 'localhost') return ['127.0.0.1']
      // A fresh Resolver per query: Bun's Resolver caches answers per instance for their TTL (tested:
      // 3 calls, 1 query), which would make refreshes miss a scale-up until the TTL ran out.
      // Node and Deno never cache, so this costs them nothing.
      const resolver = new dns.Resolver({ timeout, tries })
      if (servers.length > 0) resolver.setServers([...servers])
      try {
        return await resolver.resolve4(hostname)
      } catch (error) {
        if (NO_RECORDS.has((error as { code?: string }).code ?? '')) return []
        throw error
      }
    },
  }
}
