// A route's `route:` action and retry policies. Envoy's wrapper types (`num_retries: { value }`,
// `weight: { value }`) and `{ seconds, nanos }` durations are unwrapped; names are the compact ones.

import { CLUSTER_WEIGHT, HASH_POLICY, HASH_POLICY_COOKIE, HASH_POLICY_HEADER, RETRY_POLICY, ROUTE_ACTION, ROUTE_UPGRADE_CONFIG, WEIGHTED_CLUSTERS } from './fields.ts'
import { readUpgradeConfigs } from './upgrade-configs.ts'
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
  if (action.upgrade_configs !== undefined) out.upgrade_configs = readUpgradeConfigs(tx, action.upgrade_configs, at(path, 'upgrade_configs'), ROUTE_UPGRADE_CONFIG)
  if (action.retry_policy !== undefined) out.retry_policy = readRetryPolicy(tx, action.retry_policy, at(path, 'retry_policy'))
  if (action.hash_policy !== undefined) out.hash_policy = list(ctx, action.hash_policy, at(path, 'hash_policy')).map((p, i) => readHashPolicy(tx, p, idx(at(path, 'hash_policy'), i)))
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

/** One hash policy: the sources have the compact format's shape once their keys are sorted. */
function readHashPolicy(tx: Tx, value: unknown, path: string): Obj {
  const { ctx } = tx
  const policy = mapping(ctx, value, path)
  if (!policy) return {}
  checkKeys(ctx, policy, path, HASH_POLICY)
  const out: Obj = {}
  if (policy.header !== undefined) {
    const header = mapping(ctx, policy.header, at(path, 'header'))
    if (header) out.header = { header_name: checkKeys(ctx, header, at(path, 'header'), HASH_POLICY_HEADER).header_name }
  }
  if (policy.cookie !== undefined) {
    const cookie = mapping(ctx, policy.cookie, at(path, 'cookie'))
    if (cookie) out.cookie = { name: checkKeys(ctx, cookie, at(path, 'cookie'), HASH_POLICY_COOKIE).name }
  }
  if (policy.query_parameter !== undefined) out.query_parameter = policy.query_parameter
  if (policy.connection_properties !== undefined) out.connection_properties = policy.connection_properties
  if (policy.terminal !== undefined) out.terminal = unwrap(policy.terminal)
  return out
}
