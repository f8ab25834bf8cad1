// What the demo prints once the mesh is up: which process runs where, and the URLs to try.

import type { LaunchOptions } from './options.ts'
import type { ProcessState } from './supervisor.ts'
import { demoUrls, type ReplicaPlan, type SharedEndpoints } from './topology.ts'

export type BannerInput = {
  readonly options: LaunchOptions
  readonly shared: SharedEndpoints
  readonly replicas: readonly ReplicaPlan[]
  readonly processes: readonly ProcessState[]
  readonly dnsRecords: (name: string) => readonly string[]
}

export function renderBanner(input: BannerInput): string {
  const { options, shared } = input
  const pid = (name: string) => String(input.processes.find((p) => p.name === name)?.pid ?? '-')
  const rows: string[][] = [['PROCESS', 'LISTENS ON', 'PID']]
  if (options.externalZipkinUrl === undefined) rows.push(['zipkin', `127.0.0.1:${options.ports.zipkin} (UI /zipkin/, API /api/v2)`, pid('zipkin')])
  rows.push(['front-proxy', `127.0.0.1:${options.ports.frontHttp}, https 127.0.0.1:${options.ports.frontHttps}, admin 127.0.0.1:${options.ports.frontAdmin}`, pid('front-proxy')])
  const sorted = [...input.replicas].sort((a, b) => a.service.localeCompare(b.service) || a.index - b.index)
  for (const replica of sorted) {
    const { address } = replica
    rows.push([replica.sidecar.name, `${address}:${options.ports.replicaIngress} ingress, ${address}:${options.ports.replicaEgress} egress, admin :${options.ports.replicaAdmin}`, pid(replica.sidecar.name)])
    rows.push([replica.app.name, `${address}:${options.ports.replicaApp}`, pid(replica.app.name)])
  }
  rows.push(['dns (in launcher)', `${shared.dnsAddress}:${shared.dnsPort}/udp: ${['service1', 'service2'].map((n) => `${n} → ${input.dnsRecords(n).join(' ') || '-'}`).join(', ')}`, String(process.pid)])
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const table = rows.map((row) => '  ' + row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n')

  const urls = demoUrls(options, shared)
  const zipkinNote = options.externalZipkinUrl === undefined ? '' : ' (ZIPKIN_URL: no bundled store)'
  return `
edgeway local mesh is up (no Docker)
${table}

Try:
  curl ${urls.service1}          # three replicas take turns: see resolvedhostname
  curl ${urls.service2}
  curl -k ${urls.service1Https}   # TLS with the committed demo certificate (routes/certs/)
  curl ${urls.trace}            # one trace: front-proxy → service1 → service2
  open ${urls.zipkinUi}${zipkinNote}
  curl ${urls.admin}/stats?filter=cluster
  curl ${urls.admin}/clusters
Type "scale service1=5" (or service2=N) to change replicas, "status" to list processes; Ctrl-C stops everything.
`
}
