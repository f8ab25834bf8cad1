// A route's `route:` action and retry policies. Envoy's wrapper types (`num_retries: { value }`,
// `weight: { value }`) and `{ seconds, nanos }` durations are unwrapped; names are the compact ones.

import { CLUSTER_WEIGHT, RETRY_POLICY, ROUTE_ACTION, WEIGHTED_CLUSTERS } from './fields.ts'
import { at, checkKeys, duration, idx, list, mapping, type Obj, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

const COPIED = ['cluster', 'prefix_rewrite', 'host_rewrite_literal', 'host_rewrite'] as const

export function readRouteAction(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const action = mapping(ctx, value, path)
  if (!action) return {}
  checkKeys(ctx, action, path, ROUTE_ACTION)
  const out: Obj = {}
  for (const key of COPIED) if (action[key] !== undefined) out[key] = action[key]
  if (action.timeout !== undefined) out.timeout = duration(action.timeout)
  if (action.idle_timeout !== undefined) out.idle_timeout = duration(action.idle_timeout)
  if (action.retry_policy !== undefined) out.retry_policy = readRetryPolicy(tx, action.retry_policy, at(path, 'retry_policy'))
  if (action.weighted_clusters !== undefined) {
    const weightedPath = at(path, 'weighted_clusters')
    const weighted = mapping(ctx, action.weighted_clusters, weightedPath)
    if (weighted) {
      checkKeys(ctx, weighted, weightedPath, WEIGHTED_CLUSTERS)
      const clusters = list(ctx, weighted.clusters, at(weightedPath, 'clusters')).map((entry, i) => {
        const clusterPath = idx(at(weightedPath, 'clusters'), i)
        const cluster = mapping(ctx, entry, clusterPath)
        if (!cluster) return {}
        checkKeys(ctx, cluster, clusterPath, CLUSTER_WEIGHT)
        return { name: cluster.name, weight: unwrap(cluster.weight) }
      })
      out.weighted_clusters = { clusters }
    }
  }
  return out
}

export function readRetryPolicy(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const policy = mapping(ctx, value, path)
  if (!policy) return {}
  checkKeys(ctx, policy, path, RETRY_POLICY)
  const out: Obj = {}
  if (policy.retry_on !== undefined) out.retry_on = policy.retry_on
  if (policy.num_retries !== undefined) out.num_retries = unwrap(policy.num_retries)
  if (policy.per_try_timeout !== undefined) out.per_try_timeout = duration(policy.per_try_timeout)
  if (policy.retriable_status_codes !== undefined) out.retriable_status_codes = policy.retriable_status_codes
  if (policy.retry_back_off !== undefined) {
    const backOffPath = at(path, 'retry_back_off')
    const backOff = mapping(ctx, policy.retry_back_off, backOffPath)
    if (backOff) {
      out.retry_back_off = Object.fromEntries(Object.entries(backOff).map(([key, v]) => [key, duration(v)]))
    }
  }
  return out
}
