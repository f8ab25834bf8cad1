// A cluster's endpoints: v3 `load_assignment.endpoints[].lb_endpoints[].endpoint.address`, or the
// v2 `hosts: [{ socket_address }]`, flattened to the compact `{ address, port, weight, priority }`
// list (a locality's priority goes to each of its endpoints).
// An lb_endpoint's load_balancing_weight is the compact endpoint's `weight` (checked there: 1 to
// 4294967295, as Envoy's uint32 gte 1); a locality's `locality` and load_balancing_weight are each
// of its endpoints' `locality` and `locality_weight` (balanced by only with
// common_lb_config.locality_weighted_lb_config, as in Envoy, which ignores them otherwise).

import { ENDPOINT, ENDPOINT_HEALTH_CHECK_CONFIG, LB_ENDPOINT, LOAD_ASSIGNMENT, LOCALITY, LOCALITY_LB_ENDPOINTS } from './fields.ts'
import { at, checkKeys, idx, list, mapping, type Obj, unwrap } from './reader.ts'
import { readAddress, readSocketAddress } from './socket-address.ts'
import type { Tx } from './translate.ts'

export function readEndpoints(tx: Tx, cluster: Obj, path: string, compactPath: string): Obj | undefined {
  const { ctx } = tx
  const endpoints: Obj[] = []
  type Field = { value: unknown; path: string }
  type Group = { priority?: Field; locality?: Field; localityWeight?: Field }
  const add = (socket: { address: unknown; port: unknown } | undefined, socketPath: string, weight?: Field, group: Group = {}) => {
    const { priority, locality, localityWeight } = group
    const endpointCompact = `${compactPath}.load_assignment.endpoints[${endpoints.length}]`
    tx.paths.link(endpointCompact, socketPath)
    tx.paths.link(`${endpointCompact}.address`, at(socketPath, 'address'))
    tx.paths.link(`${endpointCompact}.port`, at(socketPath, 'port_value'))
    if (weight) tx.paths.link(`${endpointCompact}.weight`, weight.path)
    if (priority) tx.paths.link(`${endpointCompact}.priority`, priority.path)
    if (locality) tx.paths.link(`${endpointCompact}.locality`, locality.path)
    if (localityWeight) tx.paths.link(`${endpointCompact}.locality_weight`, localityWeight.path)
    endpoints.push(socket ? { address: socket.address, port: socket.port, ...(weight && { weight: weight.value }), ...(priority && { priority: priority.value }), ...(locality && { locality: locality.value }), ...(localityWeight && { locality_weight: localityWeight.value }) } : {})
  }
  if (cluster.load_assignment !== undefined && cluster.hosts !== undefined) ctx.error(at(path, 'hosts'), 'use load_assignment or hosts, not both')
  if (cluster.hosts !== undefined) {
    tx.paths.link(`${compactPath}.load_assignment`, at(path, 'hosts'))
    tx.paths.link(`${compactPath}.load_assignment.endpoints`, at(path, 'hosts'))
    list(ctx, cluster.hosts, at(path, 'hosts')).forEach((entry, i) => {
      const hostPath = idx(at(path, 'hosts'), i)
      const host = mapping(ctx, entry, hostPath)
      if (!host) return
      // A v2 host is an Address: `{ socket_address }`.
      add(readAddress(ctx, host, hostPath), at(hostPath, 'socket_address'))
    })
    return { endpoints }
  }
  if (cluster.load_assignment === undefined) {
    tx.paths.link(`${compactPath}.load_assignment`, at(path, 'load_assignment'))
    return undefined
  }
  const assignmentPath = at(path, 'load_assignment')
  tx.paths.link(`${compactPath}.load_assignment`, assignmentPath)
  tx.paths.link(`${compactPath}.load_assignment.endpoints`, at(assignmentPath, 'endpoints'))
  const assignment = mapping(ctx, cluster.load_assignment, assignmentPath)
  if (!assignment) return {}
  checkKeys(ctx, assignment, assignmentPath, LOAD_ASSIGNMENT)
  const localities = list(ctx, assignment.endpoints, at(assignmentPath, 'endpoints'))
  localities.forEach((entry, i) => {
    const localityPath = idx(at(assignmentPath, 'endpoints'), i)
    const locality = mapping(ctx, entry, localityPath)
    if (!locality) return
    checkKeys(ctx, locality, localityPath, LOCALITY_LB_ENDPOINTS)
    // A plain uint32 in Envoy's proto; checked (0 to 128) on the compact endpoint, errors pointing here.
    const priority = locality.priority === undefined ? undefined : { value: unwrap(locality.priority), path: at(localityPath, 'priority') }
    const group: Group = {
      ...(priority && { priority }),
      ...(locality.locality !== undefined && { locality: { value: readLocality(tx, locality.locality, at(localityPath, 'locality')), path: at(localityPath, 'locality') } }),
      ...(locality.load_balancing_weight !== undefined && { localityWeight: { value: unwrap(locality.load_balancing_weight), path: at(localityPath, 'load_balancing_weight') } }),
    }
    list(ctx, locality.lb_endpoints, at(localityPath, 'lb_endpoints')).forEach((lbEntry, k) => {
      const lbPath = idx(at(localityPath, 'lb_endpoints'), k)
      const lbEndpoint = mapping(ctx, lbEntry, lbPath)
      if (!lbEndpoint) return
      checkKeys(ctx, lbEndpoint, lbPath, LB_ENDPOINT)
      const weight = lbEndpoint.load_balancing_weight === undefined ? undefined : { value: unwrap(lbEndpoint.load_balancing_weight), path: at(lbPath, 'load_balancing_weight') }
      const endpointPath = at(lbPath, 'endpoint')
      const endpoint = mapping(ctx, lbEndpoint.endpoint, endpointPath)
      if (!endpoint) return
      checkKeys(ctx, endpoint, endpointPath, ENDPOINT)
      const addressPath = at(endpointPath, 'address')
      const address = mapping(ctx, endpoint.address, addressPath)
      if (!address) return
      const socket = address.socket_address === undefined ? readAddress(ctx, address, addressPath) : readSocketAddress(ctx, address.socket_address, at(addressPath, 'socket_address'))
      if (endpoint.health_check_config !== undefined) checkHealthCheckConfig(tx, endpoint.health_check_config, at(endpointPath, 'health_check_config'), socket?.port)
      add(socket, at(addressPath, 'socket_address'), weight, group)
    })
  })
  return { endpoints }
}

/** Envoy's Endpoint.HealthCheckConfig: a port_value of 0 or the endpoint's own changes nothing; another port is refused. */
function checkHealthCheckConfig(tx: Tx, value: unknown, path: string, port: unknown): void {
  const config = mapping(tx.ctx, value, path)
  if (!config) return
  checkKeys(tx.ctx, config, path, ENDPOINT_HEALTH_CHECK_CONFIG)
  const hcPort = unwrap(config.port_value)
  if (hcPort !== undefined && hcPort !== 0 && hcPort !== port) tx.ctx.unsupported(at(path, 'port_value'), "a health check port other than the endpoint's is")
}

/** Envoy's Locality: its three strings, checked (as strings) on the compact endpoint. */
function readLocality(tx: Tx, value: unknown, path: string): unknown {
  const locality = mapping(tx.ctx, value, path)
  if (!locality) return value
  checkKeys(tx.ctx, locality, path, LOCALITY)
  return locality
}
