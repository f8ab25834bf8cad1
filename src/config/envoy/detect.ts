// Which front end reads a document: Envoy's bootstrap is recognised by its shape (sections and
// nested addresses the compact format never has), so users need no flag and no file naming rule.

import { isObj } from './reader.ts'

// Not layered_runtime: the compact format has the same block.
const ENVOY_ONLY_TOP_LEVEL = ['static_resources', 'dynamic_resources', 'stats_config', 'stats_sinks', 'cluster_manager', 'overload_manager', 'watchdog', 'watchdogs', 'access_log_path']

export function isEnvoyBootstrap(raw: unknown): boolean {
  if (!isObj(raw)) return false
  if (ENVOY_ONLY_TOP_LEVEL.some((key) => key in raw)) return true
  if (isObj(raw.admin) && isObj(raw.admin.address)) return true
  if (isObj(raw.address) && 'socket_address' in raw.address) return true
  if (isObj(raw.tracing) && 'http' in raw.tracing) return true
  const listeners = Array.isArray(raw.listeners) ? raw.listeners : []
  if (listeners.some((l) => isObj(l) && ('filter_chains' in l || isObj(l.address)))) return true
  const clusters = Array.isArray(raw.clusters) ? raw.clusters : []
  return clusters.some((c) => isObj(c) && ('hosts' in c || (isObj(c.load_assignment) && Array.isArray(c.load_assignment.endpoints) && c.load_assignment.endpoints.some((e) => isObj(e) && 'lb_endpoints' in e))))
}
