// Which process runs where in the local demo, with which arguments and environment: the same
// routes/ files and variables as compose/docker-compose.yaml, with loopback addresses for container IPs.

import { HEADER_LIMIT_FLAG } from '../../src/adapter/bun-header-limit.ts'
import type { LaunchOptions, ServiceName } from './options.ts'

export type ProcessPlan = {
  /** Output prefix and supervisor key: `front-proxy`, `service1-2/app`, `service1-2/sidecar`. */
  readonly name: string
  /** The replica (or lone process) it belongs to; colours and restarts follow it. */
  readonly group: string
  /** Arguments to the Bun binary, relative to the repository root. */
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string>>
  /** Answers 2xx once the process serves. */
  readonly readyUrl: string
}

export type ReplicaPlan = {
  readonly name: string
  readonly service: ServiceName
  readonly index: number
  readonly address: string
  readonly app: ProcessPlan
  readonly sidecar: ProcessPlan
}

/** Where the shared pieces are, as every proxy sees them. */
export type SharedEndpoints = {
  readonly dnsAddress: string
  readonly dnsPort: number
  readonly zipkinUrl: string
}

const LOOPBACK = '127.0.0.1'
/** A proxy process as bin/edgeway starts bun: the default header limit set by flag, so node:http stays unloaded (src/adapter/bun-header-limit.ts). */
const edgeway = (options: LaunchOptions): string[] => [HEADER_LIMIT_FLAG, options.edgewayEntry ?? 'src/main.ts']

export function sharedEndpoints(options: LaunchOptions): SharedEndpoints {
  return {
    dnsAddress: LOOPBACK,
    dnsPort: options.ports.dns,
    zipkinUrl: options.externalZipkinUrl ?? `http://${LOOPBACK}:${options.ports.zipkin}`,
  }
}

/** `routes/<file>`, or its Envoy v3 twin `routes/envoy/<file>` with `--envoy`. */
const routesFile = (options: LaunchOptions, file: string): string => (options.configFormat === 'envoy' ? `routes/envoy/${file}` : `routes/${file}`)

export const serviceNumber = (service: ServiceName): number => Number(service.slice('service'.length))

/** Replica i of service s gets `<prefix>.<s>.<i>`, its own address as a container has its own IP. */
export function replicaAddress(options: LaunchOptions, service: ServiceName, index: number): string {
  return `${options.ipPrefix}.${serviceNumber(service)}.${index}`
}

/** What every proxy needs to find the others: the DNS server, the names it answers, Zipkin. */
function discoveryEnv(options: LaunchOptions, shared: SharedEndpoints): Record<string, string> {
  return {
    SERVICE1_HOST: 'service1',
    SERVICE2_HOST: 'service2',
    SERVICE_PORT: String(options.ports.replicaIngress),
    DNS_RESOLVER: `${shared.dnsAddress}:${shared.dnsPort}`,
    // The same server as an Envoy Address, for routes/envoy/ (whose dns_resolvers list it expands into).
    ENVOY_DNS_RESOLVERS: `{ socket_address: { address: ${shared.dnsAddress}, port_value: ${shared.dnsPort} } }`,
    DNS_REFRESH_RATE: options.dnsRefreshRate,
    ZIPKIN_URL: shared.zipkinUrl,
  }
}

export function planReplica(options: LaunchOptions, shared: SharedEndpoints, service: ServiceName, index: number): ReplicaPlan {
  const address = replicaAddress(options, service, index)
  const name = `${service}-${index}`
  const n = String(serviceNumber(service))
  const { replicaApp, replicaEgress, replicaIngress, replicaAdmin } = options.ports
  const extra = options.serviceEnv[service]
  const app: ProcessPlan = {
    name: `${name}/app`,
    group: name,
    args: ['compose/service/main.ts'],
    env: {
      ...extra,
      SERVICE_NAME: n,
      HOST: address,
      PORT: String(replicaApp),
      EGRESS_URL: `http://${address}:${replicaEgress}`,
      REPLICA_ADDRESS: address,
    },
    readyUrl: `http://${address}:${replicaApp}/healthz`,
  }
  const sidecar: ProcessPlan = {
    name: `${name}/sidecar`,
    group: name,
    // One process: a sidecar serves one app, and SIGKILL then takes the whole sidecar down at once
    // (workers of a killed primary would answer for a dead app until they notice).
    args: [...edgeway(options), '-c', routesFile(options, 'sidecar.yaml'), '--service-cluster', service, '--service-node', name, '--concurrency', '1', '--watch-config'],
    env: {
      ...extra,
      ...discoveryEnv(options, shared),
      SERVICE_NAME: n,
      INGRESS_ADDRESS: address,
      INGRESS_PORT: String(replicaIngress),
      EGRESS_ADDRESS: address,
      EGRESS_PORT: String(replicaEgress),
      APP_ADDRESS: address,
      APP_PORT: String(replicaApp),
      ADMIN_ADDRESS: address,
      ADMIN_PORT: String(replicaAdmin),
    },
    readyUrl: `http://${address}:${replicaAdmin}/ready`,
  }
  return { name, service, index, address, app, sidecar }
}

/**
 * The edge binds 127.0.0.1, not 0.0.0.0: on Linux a wildcard listener on :8000 would take the port
 * from every replica's `<ip>:8000` (EADDRINUSE), since replicas share the port number.
 */
export function planFrontProxy(options: LaunchOptions, shared: SharedEndpoints): ProcessPlan {
  return {
    name: 'front-proxy',
    group: 'front-proxy',
    args: [...edgeway(options), '-c', routesFile(options, 'front-proxy.yaml'), '--service-cluster', 'front-proxy', '--watch-config'],
    env: {
      ...discoveryEnv(options, shared),
      LISTEN_ADDRESS: LOOPBACK,
      LISTEN_PORT: String(options.ports.frontHttp),
      HTTPS_PORT: String(options.ports.frontHttps),
      ADMIN_ADDRESS: LOOPBACK,
      ADMIN_PORT: String(options.ports.frontAdmin),
    },
    readyUrl: `http://${LOOPBACK}:${options.ports.frontAdmin}/ready`,
  }
}

/** The bundled store, unless ZIPKIN_URL names a real Zipkin. */
export function planZipkin(options: LaunchOptions): ProcessPlan | undefined {
  if (options.externalZipkinUrl !== undefined) return undefined
  return {
    name: 'zipkin',
    group: 'zipkin',
    args: [options.edgewayEntry ?? 'src/main.ts', 'zipkin', '--host', LOOPBACK, '--port', String(options.ports.zipkin)],
    env: {},
    readyUrl: `http://${LOOPBACK}:${options.ports.zipkin}/health`,
  }
}

/** The URLs printed at start and used by the e2e test. */
export function demoUrls(options: LaunchOptions, shared: SharedEndpoints) {
  const edge = `http://${LOOPBACK}:${options.ports.frontHttp}`
  return {
    service1: `${edge}/service/1`,
    service1Https: `https://localhost:${options.ports.frontHttps}/service/1`,
    service2: `${edge}/service/2`,
    trace: `${edge}/trace/1`,
    admin: `http://${LOOPBACK}:${options.ports.frontAdmin}`,
    zipkinUi: `${shared.zipkinUrl.replace(/\/api\/v2\/spans$/, '').replace(/\/$/, '')}/zipkin/`,
  }
}
