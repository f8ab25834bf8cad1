// /clusters in Envoy's two shapes: `cluster::endpoint::stat::value` lines and `cluster_statuses` JSON.

import type { ClusterSnapshot, EndpointSnapshot } from '../upstream/cluster-snapshot.ts'

export function renderClustersText(clusters: readonly ClusterSnapshot[]): string {
  const lines: string[] = []
  for (const cluster of clusters) {
    const { name, circuitBreakers: limits } = cluster
    lines.push(
      `${name}::observability_name::${name}`,
      `${name}::default_priority::max_connections::${limits.maxConnections}`,
      `${name}::default_priority::max_pending_requests::${limits.maxPendingRequests}`,
      `${name}::default_priority::max_requests::${limits.maxRequests}`,
      `${name}::default_priority::max_retries::${limits.maxRetries}`,
      `${name}::added_via_api::false`,
    )
    for (const endpoint of cluster.endpoints) {
      const at = `${name}::${endpointAddress(endpoint)}::`
      // Envoy lists the counters alphabetically, then the host properties in this fixed order.
      lines.push(
        `${at}cx_active::${endpoint.cxActive}`,
        `${at}cx_connect_fail::${endpoint.cxConnectFail}`,
        `${at}cx_total::${endpoint.cxTotal}`,
        `${at}rq_active::${endpoint.activeRequests}`,
        `${at}rq_error::${endpoint.rqError}`,
        `${at}rq_success::${endpoint.rqSuccess}`,
        `${at}rq_timeout::${endpoint.rqTimeout}`,
        `${at}rq_total::${endpoint.rqTotal}`,
        `${at}hostname::${endpoint.hostname}`,
        `${at}health_flags::${endpoint.healthFlags}`,
        `${at}weight::${endpoint.weight}`,
        `${at}region::${endpoint.locality?.region ?? ''}`,
        `${at}zone::${endpoint.locality?.zone ?? ''}`,
        `${at}sub_zone::${endpoint.locality?.subZone ?? ''}`,
        `${at}canary::false`,
        `${at}priority::${endpoint.priority}`,
        `${at}success_rate::-1`,
        `${at}local_origin_success_rate::-1`,
      )
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

export function clustersJson(clusters: readonly ClusterSnapshot[]): unknown {
  return {
    cluster_statuses: clusters.map((cluster) => ({
      name: cluster.name,
      observability_name: cluster.name,
      added_via_api: false,
      circuit_breakers: {
        thresholds: [
          {
            max_connections: cluster.circuitBreakers.maxConnections,
            max_pending_requests: cluster.circuitBreakers.maxPendingRequests,
            max_requests: cluster.circuitBreakers.maxRequests,
            max_retries: cluster.circuitBreakers.maxRetries,
          },
        ],
      },
      host_statuses: cluster.endpoints.map(hostStatus),
    })),
  }
}

function hostStatus(endpoint: EndpointSnapshot): unknown {
  // Envoy's proto JSON prints uint64 counters as strings; rq_active is its one gauge here.
  const counter = (name: string, value: number) => ({ name, value: String(value) })
  return {
    address: { socket_address: { address: endpoint.address, port_value: endpoint.port } },
    stats: [
      counter('cx_connect_fail', endpoint.cxConnectFail),
      counter('cx_total', endpoint.cxTotal),
      counter('rq_error', endpoint.rqError),
      counter('rq_success', endpoint.rqSuccess),
      counter('rq_timeout', endpoint.rqTimeout),
      counter('rq_total', endpoint.rqTotal),
      { type: 'GAUGE', name: 'cx_active', value: String(endpoint.cxActive) },
      { type: 'GAUGE', name: 'rq_active', value: String(endpoint.activeRequests) },
    ],
    ...(endpoint.hostname && { hostname: endpoint.hostname }),
    health_status: healthStatus(endpoint.healthFlags),
    weight: endpoint.weight,
    locality: localityJson(endpoint),
    // Envoy's proto JSON leaves a field at its default out.
    ...(endpoint.priority !== 0 && { priority: endpoint.priority }),
  }
}

function healthStatus(flags: string): Record<string, unknown> {
  const status: Record<string, unknown> = { eds_health_status: 'HEALTHY' }
  if (flags.includes('failed_active_hc')) status.failed_active_health_check = true
  if (flags.includes('failed_outlier_check')) status.failed_outlier_check = true
  if (flags.includes('pending_active_hc')) status.pending_active_hc = true
  return status
}

/** Envoy brackets IPv6 literals so `::` stays an unambiguous separator. */
function endpointAddress(endpoint: EndpointSnapshot): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`
}

/** Envoy's Locality in proto JSON: an empty string field is left out. */
function localityJson(endpoint: EndpointSnapshot): Record<string, string> {
  const l = endpoint.locality
  if (!l) return {}
  return { ...(l.region && { region: l.region }), ...(l.zone && { zone: l.zone }), ...(l.subZone && { sub_zone: l.subZone }) }
}
