// Envoy fixtures "unchanged bar addresses": every listener and the admin move to 127.0.0.1 on a
// free port (0, or one given), and the named clusters' endpoints to loopback upstreams.

import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'
import { ROOT } from './edgeway.ts'

type Endpoint = { address: string; port: number }
export type Doc = Record<string, any>

/** `edit` may change the parsed document further (a test's own variation of the sandbox file). */
export function envoyFixture(file: string, clusters: Record<string, Endpoint[]>, listenerPorts: number[] = [], edit: (doc: Doc) => void = () => {}): string {
  const doc: Doc = parse(readFileSync(`${ROOT}test/fixtures/envoy/${file}`, 'utf8'))
  const socket = (address: string, port: number) => ({ socket_address: { address, port_value: port } })
  doc.static_resources.listeners.forEach((l: Doc, i: number) => (l.address = socket('127.0.0.1', listenerPorts[i] ?? 0)))
  if (doc.admin) doc.admin.address = socket('127.0.0.1', 0)
  for (const cluster of doc.static_resources.clusters as Doc[]) {
    const endpoints = clusters[cluster.name]
    if (!endpoints) continue
    const lbEndpoints = endpoints.map((e) => ({ endpoint: { address: socket(e.address, e.port) } }))
    if (cluster.hosts) cluster.hosts = endpoints.map((e) => socket(e.address, e.port))
    else cluster.load_assignment.endpoints = [{ lb_endpoints: lbEndpoints }]
  }
  edit(doc)
  return stringify(doc)
}
