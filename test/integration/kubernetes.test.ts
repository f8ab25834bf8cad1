// The Kubernetes manifests line up with the configs they run: names the proxies resolve are headless
// Services, container ports are listener ports, the ConfigMap is routes/ verbatim, and each pod's env
// makes its routes/ file parse to the right node cluster. Parsed with `yaml`; no cluster needed.

import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { parseConfig } from '../../src/config/load-config.ts'
import type { Config } from '../../src/config/model.ts'
import { createSystemResolver } from '../../src/adapter/dns.ts'
import { startDnsServer } from '../support/dns-server.ts'
import { CONFIGMAP_NAME, readRouteFiles, ROUTE_FILES, routesConfigMap } from '../../compose/kubernetes/write-routes-configmap.ts'

const ROOT = process.cwd()
const DIR = join(ROOT, 'compose/kubernetes')

type EnvVar = { name: string; value?: string; valueFrom?: unknown }
type Container = {
  name: string
  image: string
  command: string[]
  env?: EnvVar[]
  ports?: { name: string; containerPort: number }[]
  volumeMounts?: { name: string; mountPath: string }[]
}
type Manifest = {
  apiVersion: string
  kind: string
  metadata: { name: string }
  spec?: any
  data?: Record<string, string>
}

const kustomization = loadYaml('kustomization.yaml')[0] as { resources: string[]; images: { name: string }[] }
const manifests: Manifest[] = kustomization.resources.flatMap((file) => loadYaml(file) as Manifest[])

function loadYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`)
    return doc.toJS()
  })
}

const find = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name)
  if (!found) throw new Error(`no ${kind} named ${name} in compose/kubernetes`)
  return found
}
const containers = (deployment: string): Container[] => find('Deployment', deployment).spec.template.spec.containers
const container = (deployment: string, name: string): Container => containers(deployment).find((c) => c.name === name)!
const configMap = find('ConfigMap', CONFIGMAP_NAME)

/** Plain env values; downward-API values become a stand-in pod IP. */
function envOf(c: Container): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '10.1.2.3']))
}

/** The routes/ file a proxy container runs (from its -c argument and the ConfigMap), parsed under its env. */
function configOf(c: Container): Config {
  const path = c.command[c.command.indexOf('-c') + 1]!
  const mount = c.volumeMounts!.find((m) => path.startsWith(`${m.mountPath}/`))!
  const volume = find('Deployment', deploymentOf(c)).spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name)
  expect(volume.configMap.name).toBe(CONFIGMAP_NAME)
  const key = path.slice(mount.mountPath.length + 1)
  expect(Object.keys(configMap.data!)).toContain(key)
  // Files the config names under the image's /app (the Dockerfile copies routes/ there) are read from the repo.
  const fromImage = (path: string) => readFileSync(path.startsWith('/app/') ? join(ROOT, path.slice('/app/'.length)) : path, 'utf8')
  return parseConfig(configMap.data![key]!, key, { env: (name) => envOf(c)[name], readFile: fromImage })
}

function deploymentOf(c: Container): string {
  return manifests.find((m) => m.kind === 'Deployment' && m.spec.template.spec.containers.includes(c))!.metadata.name
}

describe('compose/kubernetes', () => {
  test('kustomization lists files that exist and holds the sandbox: front-proxy, service1, service2, zipkin', () => {
    for (const file of kustomization.resources) expect({ file, exists: existsSync(join(DIR, file)) }).toEqual({ file, exists: true })
    const names = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name).sort()
    expect(names('Deployment')).toEqual(['front-proxy', 'service1', 'service2', 'zipkin'])
    expect(names('Service')).toEqual(['front-proxy', 'service1', 'service2', 'zipkin'])
    expect(names('ConfigMap')).toEqual([CONFIGMAP_NAME])
    // Every edgeway image is one that kustomize rewrites, so a registry can be set in one place.
    const images = manifests.filter((m) => m.kind === 'Deployment').flatMap((m) => m.spec.template.spec.containers.map((c: Container) => c.image))
    for (const image of images.filter((i: string) => i.startsWith('edgeway'))) expect(kustomization.images.map((i) => i.name)).toContain(image)
  })

  test('the ConfigMap is routes/*.yaml verbatim (rerun write-routes-configmap.ts after editing routes/)', () => {
    expect(Object.keys(configMap.data!).sort()).toEqual([...ROUTE_FILES].sort())
    const files = readRouteFiles(ROOT)
    for (const name of ROUTE_FILES) expect(configMap.data![name]).toBe(files[name]!)
    expect(readFileSync(join(DIR, 'routes-configmap.yaml'), 'utf8')).toBe(routesConfigMap(files))
  })

  test('every Deployment selector matches its pod labels, and every Service selects a Deployment', () => {
    const deployments = manifests.filter((m) => m.kind === 'Deployment')
    for (const d of deployments) expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels)
    for (const s of manifests.filter((m) => m.kind === 'Service')) {
      const target = deployments.find((d) => Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v))
      expect({ service: s.metadata.name, selects: target?.metadata.name }).toEqual({ service: s.metadata.name, selects: s.metadata.name })
    }
  })

  test('front proxy: container ports are its listener and admin ports, admin open to the pod network, Service exposes both', () => {
    const edge = container('front-proxy', 'edgeway')
    const config = configOf(edge)
    expect(config.node.cluster).toBe('front-proxy')
    expect(config.admin).toEqual({ address: '0.0.0.0', port: 8001 })
    const ports = Object.fromEntries(edge.ports!.map((p) => [p.name, p.containerPort]))
    expect(ports).toEqual({ http: config.listeners[0]!.port, https: config.listeners[1]!.port, admin: config.admin!.port })
    const service = find('Service', 'front-proxy')
    expect(service.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([
      [8000, 'http'],
      [8443, 'https'],
      [8001, 'admin'],
    ])
    // The readiness probe hits the admin listener kubelet can reach.
    expect((edge as any).readinessProbe.httpGet).toEqual({ path: '/ready', port: 'admin' })
  })

  test('every strict DNS cluster name is a headless Service whose port is the sidecar ingress port', () => {
    const proxies = [container('front-proxy', 'edgeway'), container('service1', 'sidecar'), container('service2', 'sidecar')]
    let checked = 0
    for (const proxy of proxies) {
      for (const cluster of configOf(proxy).clusters.filter((c) => c.type === 'strict_dns')) {
        const endpoint = cluster.endpoints[0]!
        const service = find('Service', endpoint.address)
        expect(service.spec.clusterIP).toBe('None')
        const port = service.spec.ports.find((p: any) => p.port === endpoint.port)
        expect(port).toBeDefined()
        const sidecar = container(endpoint.address, 'sidecar')
        const ingress = configOf(sidecar).listeners.find((l) => l.direction === 'ingress')!
        expect(sidecar.ports!.find((p) => p.name === port.targetPort)!.containerPort).toBe(ingress.port)
        expect(ingress.port).toBe(endpoint.port)
        checked++
      }
    }
    expect(checked).toBe(6)
  })

  test('in a pod, the bare Service names the clusters use resolve through the search list (CoreDNS answers FQDNs only)', async () => {
    const dns = await startDnsServer({ records: { 'service1.default.svc.cluster.local': ['10.1.0.11', '10.1.0.12'], 'service2.default.svc.cluster.local': ['10.1.0.21'] } })
    const dir = mkdtempSync(join(tmpdir(), 'edgeway-k8s-'))
    try {
      // What kubelet writes into every pod of namespace "default".
      writeFileSync(join(dir, 'resolv.conf'), `nameserver ${dns.server}\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`)
      writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
      const resolver = createSystemResolver({ resolvConfPath: join(dir, 'resolv.conf'), hostsPath: join(dir, 'hosts'), timeoutMs: 500, tries: 1 })
      const resolved: Record<string, string[]> = {}
      for (const proxy of [container('front-proxy', 'edgeway'), container('service1', 'sidecar'), container('service2', 'sidecar')]) {
        for (const cluster of configOf(proxy).clusters.filter((c) => c.type === 'strict_dns')) {
          expect({ cluster: cluster.name, dnsResolvers: cluster.dnsResolvers }).toEqual({ cluster: cluster.name, dnsResolvers: [] })
          for (const { address } of cluster.endpoints) resolved[address] = await resolver.resolve(address)
        }
      }
      expect(resolved).toEqual({ service1: ['10.1.0.11', '10.1.0.12'], service2: ['10.1.0.21'] })
      expect(dns.queries('service1')).toBe(0)
    } finally {
      await dns.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  for (const n of ['1', '2']) {
    test(`service${n} pod: app and sidecar share the pod; sidecar's local_service and egress match the app's env`, () => {
      expect(containers(`service${n}`).map((c) => c.name).sort()).toEqual(['app', 'sidecar'])
      const app = container(`service${n}`, 'app')
      const sidecar = container(`service${n}`, 'sidecar')
      expect(app.command).toEqual(['bun', 'compose/service/main.ts'])
      expect(envOf(app).SERVICE_NAME).toBe(n)
      expect(envOf(sidecar).SERVICE_NAME).toBe(n)
      expect(sidecar.command).toContain(`service${n}`)
      const config = configOf(sidecar)
      expect(config.node.cluster).toBe(`service${n}`)
      // Only the sidecar's admin on loopback: it is probed from inside the pod.
      expect(config.admin).toEqual({ address: '127.0.0.1', port: 8001 })
      const local = config.clusters.find((c) => c.name === 'local_service')!
      expect(local.endpoints).toEqual([{ address: envOf(app).HOST!, port: Number(envOf(app).PORT) }])
      const egress = config.listeners.find((l) => l.direction === 'egress')!
      expect(envOf(app).EGRESS_URL).toBe(`http://${egress.address}:${egress.port}`)
      expect(app.env!.find((e) => e.name === 'REPLICA_ADDRESS')!.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } })
    })
  }

  test('every proxy fails its health check and waits before SIGTERM (preStop), within the termination grace', () => {
    for (const [deployment, name] of [['front-proxy', 'edgeway'], ['service1', 'sidecar'], ['service2', 'sidecar']] as const) {
      const command: string[] = (container(deployment, name) as any).lifecycle.preStop.exec.command
      expect(command.join(' ')).toContain("fetch('http://127.0.0.1:8001/healthcheck/fail', { method: 'POST' })")
      const sleepMs = Number(/Bun\.sleep\((\d+)\)/.exec(command.join(' '))![1])
      // Kubernetes' default grace is 30 s: the wait, then edgeway's 5 s drain, must fit in it.
      const grace = find('Deployment', deployment).spec.template.spec.terminationGracePeriodSeconds ?? 30
      expect(sleepMs / 1000 + 5).toBeLessThan(grace)
      expect(configOf(container(deployment, name)).admin?.port).toBe(8001)
    }
  })

  test('every proxy sends spans to the zipkin Service', () => {
    const zipkin = find('Service', 'zipkin')
    expect(zipkin.spec.ports[0].port).toBe(9411)
    for (const c of [container('front-proxy', 'edgeway'), container('service1', 'sidecar'), container('service2', 'sidecar')])
      expect(envOf(c).ZIPKIN_URL).toBe('http://zipkin:9411/api/v2/spans')
  })
})
