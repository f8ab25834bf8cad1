// Picks the virtual host for a request's authority the way Envoy does: exact domain, then
// `*.suffix` wildcards (longest first), then `prefix.*` wildcards (longest first), then `*`.

import type { VirtualHostConfig } from '../config/model.ts'

/** Wildcard domains of one length share a map, so a lookup costs one slice per distinct length. */
type WildcardGroup = { readonly length: number; readonly byPart: Map<string, VirtualHostConfig> }

export class VirtualHostIndex {
  readonly #exact = new Map<string, VirtualHostConfig>()
  readonly #suffixes: WildcardGroup[]
  readonly #prefixes: WildcardGroup[]
  readonly #default: VirtualHostConfig | undefined
  /** Only a `*` virtual host (the bench's, many a sidecar's): nothing to look up. */
  readonly #onlyDefault: boolean

  constructor(virtualHosts: readonly VirtualHostConfig[]) {
    const suffixes = new Map<number, Map<string, VirtualHostConfig>>()
    const prefixes = new Map<number, Map<string, VirtualHostConfig>>()
    let fallback: VirtualHostConfig | undefined
    // The first virtual host to claim a domain keeps it; the config loader reports duplicates.
    for (const virtualHost of virtualHosts) {
      for (const raw of virtualHost.domains) {
        const domain = raw.toLowerCase()
        if (domain === '*') fallback ??= virtualHost
        else if (domain.startsWith('*')) addWildcard(suffixes, domain.slice(1), virtualHost)
        else if (domain.endsWith('*')) addWildcard(prefixes, domain.slice(0, -1), virtualHost)
        else if (!this.#exact.has(domain)) this.#exact.set(domain, virtualHost)
      }
    }
    this.#suffixes = sortedGroups(suffixes)
    this.#prefixes = sortedGroups(prefixes)
    this.#default = fallback
    this.#onlyDefault = this.#exact.size === 0 && this.#suffixes.length === 0 && this.#prefixes.length === 0
  }

  /** `authority` is the Host header as sent; a domain listing a port must match it with that port. */
  find(authority: string): VirtualHostConfig | undefined {
    if (this.#onlyDefault) return this.#default
    const host = authority.toLowerCase()
    const found = this.#findSpecific(host)
    if (found) return found
    const withoutPort = stripPort(host)
    if (withoutPort !== host) {
      const bare = this.#findSpecific(withoutPort)
      if (bare) return bare
    }
    return this.#default
  }

  #findSpecific(host: string): VirtualHostConfig | undefined {
    const exact = this.#exact.get(host)
    if (exact) return exact
    // As Envoy, the wildcard must stand for at least one character: `*.foo.com` does not match `.foo.com`.
    for (const group of this.#suffixes) {
      if (host.length <= group.length) continue
      const hit = group.byPart.get(host.slice(host.length - group.length))
      if (hit) return hit
    }
    for (const group of this.#prefixes) {
      if (host.length <= group.length) continue
      const hit = group.byPart.get(host.slice(0, group.length))
      if (hit) return hit
    }
    return undefined
  }
}

/** `host:8000` → `host`, `[::1]:8000` → `[::1]`; a bare IPv6 literal keeps its colons. */
export function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    return close === -1 ? authority : authority.slice(0, close + 1)
  }
  const colon = authority.lastIndexOf(':')
  if (colon === -1 || authority.indexOf(':') !== colon) return authority
  return authority.slice(0, colon)
}

function addWildcard(groups: Map<number, Map<string, VirtualHostConfig>>, part: string, virtualHost: VirtualHostConfig): void {
  let byPart = groups.get(part.length)
  if (!byPart) groups.set(part.length, (byPart = new Map()))
  if (!byPart.has(part)) byPart.set(part, virtualHost)
}

function sortedGroups(groups: Map<number, Map<string, VirtualHostConfig>>): WildcardGroup[] {
  return [...groups].map(([length, byPart]) => ({ length, byPart })).sort((a, b) => b.length - a.length)
}
