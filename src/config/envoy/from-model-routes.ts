// Model virtual hosts and routes written in Envoy v3's RouteConfiguration shape (see from-model.ts).

import { FAULT_TYPE, faultToEnvoy } from './from-model-fault.ts'
import type * as M from '../model.ts'
import type { FaultConfig } from '../model-fault.ts'
import { seconds } from './envoy-values.ts'

export function virtualHostToEnvoy(v: M.VirtualHostConfig): Record<string, unknown> {
  return {
    name: v.name,
    domains: [...v.domains],
    ...(v.retryPolicy && { retry_policy: retryToEnvoy(v.retryPolicy) }),
    ...(v.requireTls !== 'none' && { require_tls: v.requireTls.toUpperCase() }),
    ...(v.fault && { typed_per_filter_config: faultPerFilterConfig(v.fault) }),
    ...rulesToEnvoy(v),
    routes: v.routes.map(routeToEnvoy),
  }
}

function routeToEnvoy(r: M.RouteConfig): Record<string, unknown> {
  const m = r.match
  const match: Record<string, unknown> = {
    ...(m.prefix !== undefined && { prefix: m.prefix }),
    ...(m.path !== undefined && { path: m.path }),
    ...(m.safeRegex !== undefined && { safe_regex: { regex: m.safeRegex } }),
    ...(!m.caseSensitive && { case_sensitive: false }),
    ...(m.headers.length && { headers: m.headers.map(headerMatcherToEnvoy) }),
  }
  const route: Record<string, unknown> = {
    ...(r.cluster !== undefined && { cluster: r.cluster }),
    ...(r.weightedClusters && { weighted_clusters: { clusters: r.weightedClusters.map((w) => ({ name: w.name, weight: w.weight })) } }),
    ...(r.prefixRewrite !== undefined && { prefix_rewrite: r.prefixRewrite }),
    ...(r.hostRewrite !== undefined && { host_rewrite_literal: r.hostRewrite }),
    timeout: seconds(r.timeoutMs),
    ...(r.idleTimeoutMs && { idle_timeout: seconds(r.idleTimeoutMs) }),
    ...(r.retryPolicy && { retry_policy: retryToEnvoy(r.retryPolicy) }),
    ...(r.hashPolicy.length && { hash_policy: r.hashPolicy.map(hashPolicyToEnvoy) }),
    ...(r.websocket !== undefined && { upgrade_configs: [{ upgrade_type: 'websocket', enabled: r.websocket }] }),
  }
  return {
    ...(r.name !== undefined && { name: r.name }),
    match,
    route,
    ...(r.operation !== undefined && { decorator: { operation: r.operation } }),
    ...(r.fault && { typed_per_filter_config: faultPerFilterConfig(r.fault) }),
    ...rulesToEnvoy(r),
  }
}

function faultPerFilterConfig(f: FaultConfig): Record<string, unknown> {
  return { 'envoy.filters.http.fault': { '@type': FAULT_TYPE, ...faultToEnvoy(f, headerMatcherToEnvoy) } }
}

export function headerMatcherToEnvoy(h: M.HeaderMatcher): Record<string, unknown> {
  const base = { name: h.name, ...(h.invert && { invert_match: true }) }
  if (h.kind === 'present') return { ...base, present_match: h.value }
  if (h.kind === 'regex') return { ...base, string_match: { safe_regex: { regex: h.value } } }
  return { ...base, string_match: { [h.kind]: h.value } }
}

function retryToEnvoy(p: M.RetryPolicyConfig): Record<string, unknown> {
  return {
    retry_on: p.retryOn.join(','),
    num_retries: p.numRetries,
    ...(p.perTryTimeoutMs && { per_try_timeout: seconds(p.perTryTimeoutMs) }),
    ...(p.retriableStatusCodes.length && { retriable_status_codes: [...p.retriableStatusCodes] }),
    retry_back_off: { base_interval: seconds(p.backoff.baseIntervalMs), max_interval: seconds(p.backoff.maxIntervalMs) },
  }
}

function rulesToEnvoy(r: M.HeaderRules): Record<string, unknown> {
  const add = (list: readonly M.HeaderToAdd[]) => list.map((h) => ({ header: { key: h.key, value: h.value }, append_action: h.append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD' }))
  return {
    ...(r.requestHeadersToAdd.length && { request_headers_to_add: add(r.requestHeadersToAdd) }),
    ...(r.requestHeadersToRemove.length && { request_headers_to_remove: [...r.requestHeadersToRemove] }),
    ...(r.responseHeadersToAdd.length && { response_headers_to_add: add(r.responseHeadersToAdd) }),
    ...(r.responseHeadersToRemove.length && { response_headers_to_remove: [...r.responseHeadersToRemove] }),
  }
}

function hashPolicyToEnvoy(p: M.HashPolicy): Record<string, unknown> {
  const terminal = p.terminal ? { terminal: true } : {}
  if (p.kind === 'header') return { header: { header_name: p.name }, ...terminal }
  if (p.kind === 'cookie') return { cookie: { name: p.name }, ...terminal }
  if (p.kind === 'query_parameter') return { query_parameter: { name: p.name }, ...terminal }
  return { connection_properties: { source_ip: true }, ...terminal }
}
