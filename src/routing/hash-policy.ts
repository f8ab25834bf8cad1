// A request's hash for RING_HASH and MAGLEV clusters, from the route's hash_policy list as Envoy
// computes it: each policy that finds its value is hashed and folded in; a terminal one that found
// a value ends the list. No value at all means no hash (the balancer picks at random).

import type { HashPolicy } from '../config/model.ts'
import { combineHashes, hash32 } from '../upstream/lb/hash.ts'

export type HashInputs = {
  readonly headers: { get(name: string): string | null }
  /** The downstream address without port (after trusted x-forwarded-for hops, as Envoy's). */
  readonly sourceIp: string
  /** The query string without `?`, or ''. */
  readonly query: string
}

export function requestHash(policies: readonly HashPolicy[], inputs: HashInputs): number | undefined {
  let hash: number | undefined
  for (const policy of policies) {
    const value = valueOf(policy, inputs)
    if (value === undefined) continue
    const next = hash32(value)
    hash = hash === undefined ? next : combineHashes(hash, next)
    if (policy.terminal) break
  }
  return hash
}

function valueOf(policy: HashPolicy, inputs: HashInputs): string | undefined {
  switch (policy.kind) {
    case 'header':
      return inputs.headers.get(policy.name) ?? undefined
    case 'cookie':
      return cookie(inputs.headers.get('cookie'), policy.name)
    case 'query_parameter':
      return inputs.query ? (new URLSearchParams(inputs.query).get(policy.name) ?? undefined) : undefined
    case 'source_ip':
      return inputs.sourceIp || undefined
  }
}

function cookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
