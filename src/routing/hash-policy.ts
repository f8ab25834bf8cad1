// A request's hash for RING_HASH and MAGLEV clusters, from the route's hash_policy list exactly as
// Envoy's HashPolicyImpl::generateHash computes it: each policy that finds its value contributes
// xxHash64(value), folded in with a rotate-left-1 xor; a terminal policy ends the list once any
// hash exists (its own or an earlier one's). No value at all means no hash (a random pick).

import type { HashPolicy } from '../config/model.ts'
import { combineHashes, xxHash64 } from '../upstream/lb/hash.ts'

export type HashInputs = {
  readonly headers: { get(name: string): string | null }
  /** The downstream address without port (after trusted x-forwarded-for hops, as Envoy's). */
  readonly sourceIp: string
  /** The query string without `?`, or ''. */
  readonly query: string
}

export function requestHash(policies: readonly HashPolicy[], inputs: HashInputs): bigint | undefined {
  let hash: bigint | undefined
  for (const policy of policies) {
    const value = valueOf(policy, inputs)
    if (value !== undefined) {
      const next = xxHash64(value)
      hash = hash === undefined ? next : combineHashes(hash, next)
    }
    if (policy.terminal && hash !== undefined) break
  }
  return hash
}

function valueOf(policy: HashPolicy, inputs: HashInputs): string | undefined {
  switch (policy.kind) {
    case 'header':
      // Envoy hashes a present header even when empty. Several lines of one header arrive here
      // joined by ", " (the fetch Headers API), where Envoy hashes the sorted lines concatenated.
      return inputs.headers.get(policy.name) ?? undefined
    case 'cookie':
      return cookie(inputs.headers.get('cookie'), policy.name)
    case 'query_parameter':
      return queryParameter(inputs.query, policy.name)
    case 'source_ip':
      return inputs.sourceIp || undefined
  }
}

/** Envoy's Utility::parseCookieValue: the first `name=value`, quotes stripped; empty = none. */
function cookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    let start = 0
    while (part.charCodeAt(start) === 32) start++
    if (part.slice(start, eq) !== name) continue
    let value = part.slice(eq + 1)
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    return value || undefined
  }
  return undefined
}

/** Envoy's first value of a query parameter, not percent-decoded (as its parseQueryString); `?a` is ''. */
function queryParameter(query: string, name: string): string | undefined {
  if (!query) return undefined
  for (const part of query.split('&')) {
    const eq = part.indexOf('=')
    if ((eq < 0 ? part : part.slice(0, eq)) === name) return eq < 0 ? '' : part.slice(eq + 1)
  }
  return undefined
}
