// Route selection for one listener: virtual host by authority, then its routes in order, first
// match wins. Pure and precompiled so the per-request cost is a few map lookups and predicates.

import type { RouteConfig, VirtualHostConfig } from '../config/model.ts'
import { compileRoute, type CompiledRoute } from './route-matcher.ts'
import { VirtualHostIndex } from './virtual-host-index.ts'

export type RouteRequest = {
  /** The Host header as sent, may include `:port`. */
  authority: string
  /** Path only; matching never sees the query. */
  path: string
  /** Query string without the leading `?`; empty when there is none. */
  query: string
  headers: { get(name: string): string | null }
}

export type RouteMatch = {
  virtualHost: VirtualHostConfig
  route: RouteConfig
  /** The cluster chosen, after the weighted pick. */
  cluster: string
  /** After prefix_rewrite, with the query re-attached. */
  upstreamPath: string
}

export class RouteTable {
  readonly #index: VirtualHostIndex
  readonly #routes = new Map<VirtualHostConfig, readonly CompiledRoute[]>()
  readonly #random: () => number

  constructor(virtualHosts: readonly VirtualHostConfig[], random: () => number = Math.random) {
    this.#index = new VirtualHostIndex(virtualHosts)
    for (const virtualHost of virtualHosts) this.#routes.set(virtualHost, virtualHost.routes.map(compileRoute))
    this.#random = random
  }

  /** The virtual host for an authority, whether or not a route matches (require_tls applies to all). */
  virtualHost(authority: string): VirtualHostConfig | undefined {
    return this.#index.find(authority)
  }

  match(req: RouteRequest): RouteMatch | undefined {
    const virtualHost = this.#index.find(req.authority)
    if (!virtualHost) return undefined
    for (const compiled of this.#routes.get(virtualHost) ?? []) {
      if (!compiled.matches(req.path, req.headers)) continue
      return {
        virtualHost,
        route: compiled.route,
        cluster: compiled.pickCluster(this.#random),
        upstreamPath: compiled.rewrite(req.path, req.query),
      }
    }
    return undefined
  }
}
