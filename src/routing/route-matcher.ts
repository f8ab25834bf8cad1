// One route, compiled once: its path/header predicate, its prefix rewrite and its cluster choice.

import type { RouteConfig } from '../config/model.ts'
import { compileSafeRegex } from '../regex/safe-regex.ts'
import { compileHeaderMatcher, type HeaderSource } from './header-matcher.ts'

export type CompiledRoute = {
  readonly route: RouteConfig
  matches(path: string, headers: HeaderSource): boolean
  /** Upstream path with the query (no leading `?`, may be empty) re-attached. */
  rewrite(path: string, query: string): string
  /** `random` returns [0, 1); only weighted routes call it. */
  pickCluster(random: () => number): string
}

export function compileRoute(route: RouteConfig): CompiledRoute {
  const matchPath = compilePathMatch(route)
  const headerPredicates = route.match.headers.map(compileHeaderMatcher)
  const matches =
    headerPredicates.length === 0
      ? matchPath
      : (path: string, headers: HeaderSource) => matchPath(path) && headerPredicates.every((predicate) => predicate(headers))
  return { route, matches, rewrite: compileRewrite(route), pickCluster: compileClusterPick(route) }
}

function compilePathMatch(route: RouteConfig): (path: string) => boolean {
  const { prefix, path: exact, safeRegex, caseSensitive } = route.match
  if (safeRegex !== undefined) {
    // RE2 on the whole path, as Envoy; case_sensitive does not apply to safe_regex there either.
    const pattern = compileSafeRegex(safeRegex)
    return (path) => pattern.matchesWhole(path)
  }
  if (exact !== undefined) {
    if (caseSensitive) return (path) => path === exact
    const lower = exact.toLowerCase()
    return (path) => path.length === lower.length && path.toLowerCase() === lower
  }
  const wanted = prefix ?? '/'
  // A plain string prefix, as Envoy: `/service/1` also matches `/service/10`.
  if (caseSensitive) return (path) => path.startsWith(wanted)
  const lower = wanted.toLowerCase()
  return (path) => path.length >= lower.length && path.slice(0, lower.length).toLowerCase() === lower
}

function compileRewrite(route: RouteConfig): (path: string, query: string) => string {
  const replacement = route.prefixRewrite
  if (replacement === undefined) return withQuery
  const { prefix } = route.match
  // Path and regex routes matched the whole path, so Envoy replaces all of it.
  if (prefix === undefined || route.match.path !== undefined || route.match.safeRegex !== undefined) {
    return (_path, query) => withQuery(replacement, query)
  }
  const cut = prefix.length
  return (path, query) => withQuery(replacement + path.slice(cut), query)
}

function withQuery(path: string, query: string): string {
  if (query === '' || query === '?') return path
  return query.startsWith('?') ? path + query : `${path}?${query}`
}

function compileClusterPick(route: RouteConfig): (random: () => number) => string {
  const weighted = route.weightedClusters
  if (!weighted || weighted.length === 0) {
    const cluster = route.cluster ?? ''
    return () => cluster
  }
  const names = weighted.map((entry) => entry.name)
  const bounds: number[] = []
  let total = 0
  for (const entry of weighted) bounds.push((total += Math.max(0, entry.weight)))
  const first = names[0] ?? ''
  if (total === 0) return () => first
  return (random) => {
    const point = random() * total
    for (let i = 0; i < bounds.length; i++) if (point < (bounds[i] ?? 0)) return names[i] ?? first
    return names[names.length - 1] ?? first
  }
}
