import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig } from '../../src/config/load-config.ts'
import { parseLaunchOptions } from './options.ts'
import { demoUrls, planFrontProxy, planReplica, planZipkin, replicaAddress, sharedEndpoints, type ProcessPlan } from './topology.ts'

const ROOT = join(import.meta.dir, '..', '..')
const options = parseLaunchOptions(['--base-port', '20000', '--ip-prefix', '127.7', '--env', 'service2:ERROR_RATE=20'], () => undefined)
const shared = sharedEndpoints(options)

/** The routes/ file a plan runs, parsed under exactly the environment the plan gives it. */
function configOf(plan: ProcessPlan) {
  const file = plan.args[plan.args.indexOf('-c') + 1]!
  return parseConfig(readFileSync(join(ROOT, file), 'utf8'), join(ROOT, file), { env: (name) => plan.env[name] })
}

describe('topology', () => {
  test('replica i of service s has its own loopback address', () => {
    expect(replicaAddress(options, 'service1', 3)).toBe('127.7.1.3')
    expect(replicaAddress(options, 'service2', 1)).toBe('127.7.2.1')
  })

  test('a sidecar runs routes/sidecar.yaml on its replica address, finds the others through the demo DNS', () => {
    const replica = planReplica(options, shared, 'service1', 2)
    expect(replica.name).toBe('service1-2')
    expect(replica.sidecar.args).toEqual(['--max-http-header-size=122880', 'src/main.ts', '-c', 'routes/sidecar.yaml', '--service-cluster', 'service1', '--service-node', 'service1-2', '--concurrency', '1', '--watch-config'])
    const config = configOf(replica.sidecar)
    expect(config.node.cluster).toBe('service1')
    expect(config.admin).toEqual({ address: '127.7.1.2', port: 20001 })
    expect(config.listeners.map((l) => `${l.name} ${l.address}:${l.port}`)).toEqual(['ingress_http 127.7.1.2:20000', 'egress_http 127.7.1.2:21000'])
    const clusters = Object.fromEntries(config.clusters.map((c) => [c.name, c]))
    expect(clusters.local_service!.endpoints).toEqual([{ address: '127.7.1.2', port: 20080 }])
    for (const name of ['service1', 'service2']) {
      expect(clusters[name]).toMatchObject({ type: 'strict_dns', dnsResolvers: ['127.0.0.1:20053'], dnsRefreshRateMs: 1000, endpoints: [{ address: name, port: 20000 }] })
    }
    expect(replica.sidecar.env.ZIPKIN_URL).toBe('http://127.0.0.1:21411')
    expect(replica.sidecar.readyUrl).toBe('http://127.7.1.2:20001/ready')
  })

  test('the app listens where its sidecar sends ingress, calls its egress, and gets the service env', () => {
    const replica = planReplica(options, shared, 'service2', 1)
    expect(replica.app.args).toEqual(['compose/service/main.ts'])
    expect(replica.app.env).toMatchObject({ SERVICE_NAME: '2', HOST: '127.7.2.1', PORT: '20080', EGRESS_URL: 'http://127.7.2.1:21000', REPLICA_ADDRESS: '127.7.2.1', ERROR_RATE: '20' })
    expect(replica.app.readyUrl).toBe('http://127.7.2.1:20080/healthz')
    expect(planReplica(options, shared, 'service1', 1).app.env.ERROR_RATE).toBeUndefined()
  })

  test('the front proxy binds 127.0.0.1 (a wildcard would take the replicas\' port) and balances over DNS', () => {
    const plan = planFrontProxy(options, shared)
    const config = configOf(plan)
    expect(config.node.cluster).toBe('front-proxy')
    expect(config.admin).toEqual({ address: '127.0.0.1', port: 20001 })
    expect(config.listeners.map((l) => `${l.address}:${l.port}`)).toEqual(['127.0.0.1:20000', '127.0.0.1:20443'])
    const vhost = config.listeners[0]!.virtualHosts[0]!
    expect(vhost.routes.map((r) => [r.match.prefix, r.cluster])).toEqual([
      ['/service/1', 'service1'],
      ['/trace/1', 'service1'],
      ['/service/2', 'service2'],
    ])
    expect(vhost.retryPolicy).toMatchObject({ retryOn: ['connect-failure', 'reset'], numRetries: 2 })
    for (const cluster of config.clusters) expect(cluster).toMatchObject({ type: 'strict_dns', dnsResolvers: ['127.0.0.1:20053'], endpoints: [{ port: 20000 }] })
  })

  test('Zipkin: the bundled store unless ZIPKIN_URL names one; the URLs to try follow', () => {
    expect(planZipkin(options)!.args).toEqual(['src/main.ts', 'zipkin', '--host', '127.0.0.1', '--port', '21411'])
    expect(demoUrls(options, shared)).toEqual({
      service1: 'http://127.0.0.1:20000/service/1',
      service1Https: 'https://localhost:20443/service/1',
      service2: 'http://127.0.0.1:20000/service/2',
      trace: 'http://127.0.0.1:20000/trace/1',
      admin: 'http://127.0.0.1:20001',
      zipkinUi: 'http://127.0.0.1:21411/zipkin/',
    })
    const external = parseLaunchOptions([], (name) => (name === 'ZIPKIN_URL' ? 'http://zipkin.example:9411/api/v2/spans' : undefined))
    expect(planZipkin(external)).toBeUndefined()
    expect(planFrontProxy(external, sharedEndpoints(external)).env.ZIPKIN_URL).toBe('http://zipkin.example:9411/api/v2/spans')
    expect(demoUrls(external, sharedEndpoints(external)).zipkinUi).toBe('http://zipkin.example:9411/zipkin/')
  })

  test('without DNS_RESOLVER the routes files keep the system resolver (Compose, Kubernetes)', () => {
    const config = parseConfig(readFileSync(join(ROOT, 'routes/front-proxy.yaml'), 'utf8'), join(ROOT, 'routes/front-proxy.yaml'), { env: () => undefined })
    for (const cluster of config.clusters) expect(cluster.dnsResolvers).toEqual([])
  })
})

describe('topology --envoy', () => {
  const envoyOptions = parseLaunchOptions(['--base-port', '20000', '--ip-prefix', '127.7', '--envoy'], () => undefined)
  const envoyShared = sharedEndpoints(envoyOptions)

  test('the proxies run routes/envoy/ files, which read into the same models as routes/ under the planned environment', () => {
    const plans = [planFrontProxy(envoyOptions, envoyShared), planReplica(envoyOptions, envoyShared, 'service1', 2).sidecar, planReplica(envoyOptions, envoyShared, 'service2', 1).sidecar]
    for (const plan of plans) {
      const file = plan.args[plan.args.indexOf('-c') + 1]!
      expect(file).toStartWith('routes/envoy/')
      const compactPlan = { ...plan, args: plan.args.map((a) => a.replace('routes/envoy/', 'routes/')) }
      expect(configOf(plan)).toEqual(configOf(compactPlan))
    }
    expect(configOf(plans[1]!).clusters.find((c) => c.name === 'service2')!.dnsResolvers).toEqual(['127.0.0.1:20053'])
  })
})
