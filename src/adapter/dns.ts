// The DNS resolvers of strict/logical DNS clusters (dns-resolvers.ts), loaded on the first
// resolution: node:dns and node:net (the lookup's isIP) stay resident once loaded on Bun (~1 MiB
// measured, bench/README "Memory, stop 25"), and a config of static clusters never resolves.

import type { Resolver } from '../upstream/resolver.ts'
import type { ResolverOptions, SystemResolverOptions } from './dns-resolvers.ts'

export type { ResolverOptions, SystemResolverOptions }

type Resolvers = typeof import('./dns-resolvers.ts')
let resolvers: Promise<Resolvers> | undefined

/** A resolver made by `make` from the loaded module at its first resolution, then used as it is. */
function onFirstResolve(make: (module: Resolvers) => Resolver): Resolver {
  let made: Resolver | undefined
  return {
    async resolve(hostname) {
      made ??= make(await (resolvers ??= import('./dns-resolvers.ts')))
      return made.resolve(hostname)
    },
  }
}

/** dns-resolvers.ts's createResolver: `servers` asked for the name as written. */
export function createResolver(servers: readonly string[], options: ResolverOptions = {}): Resolver {
  return onFirstResolve((module) => module.createResolver(servers, options))
}

/** dns-resolvers.ts's createSystemResolver: /etc/hosts, then resolv.conf's nameservers. */
export function createSystemResolver(options: SystemResolverOptions = {}): Resolver {
  return onFirstResolve((module) => module.createSystemResolver(options))
}
