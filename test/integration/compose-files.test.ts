// The Docker Compose sandbox as files: `docker-compose config` accepts it, the topology matches the
// design (names, published ports, scalable services, healthchecks), the routes/ configs it runs parse
// under the environment it sets, and the healthcheck commands and start.sh really work.

import { describe, expect, test } from 'bun:test'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { parseConfig } from '../../src/config/load-config.ts'
import type { Config } from '../../src/config/model.ts'

const ROOT = process.cwd()
const BUN = join(ROOT, 'node_modules/.bin/bun')
const COMPOSE_FILE = join(ROOT, 'compose/docker-compose.yaml')

type ComposeService = {
  build?: { context: string; dockerfile: string; target?: string }
  image?: string
  container_name?: string
  environment?: Record<string, string>
  ports?: { published: number | string; target: number }[]
  expose?: string[]
  volumes?: string[]
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
}

function composeConfig(): { services: Record<string, ComposeService> } {
  const found = spawnSync('docker-compose', ['version'], { encoding: 'utf8' })
  if (found.error || found.status !== 0)
    throw new Error('docker-compose is not installed: CI installs it (apt-get install docker-compose); it is needed to validate compose/docker-compose.yaml')
  // A clean environment, so a developer's PORT_PROXY does not change what the test sees.
  const text = execFileSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
  })
  return parse(text)
}

const compose = composeConfig()
const services = compose.services
const proxies = ['front-proxy', 'service1', 'service2'] as const

function loadRoutes(file: string, env: Record<string, string>): Config {
  return parseConfig(readFileSync(join(ROOT, 'routes', file), 'utf8'), join(ROOT, 'routes', file), { env: (name) => env[name] })
}

/** The routes/ file a compose service runs, and the environment it gets. */
function configOf(name: (typeof proxies)[number]): Config {
  const env = services[name]!.environment ?? {}
  return loadRoutes(name === 'front-proxy' ? 'front-proxy.yaml' : 'sidecar.yaml', env)
}

describe('compose/docker-compose.yaml', () => {
  test('holds the sandbox topology: front-proxy, service1, service2, zipkin', () => {
    expect(Object.keys(services).sort()).toEqual(['front-proxy', 'service1', 'service2', 'zipkin'])
    expect(services.zipkin!.image).toStartWith('openzipkin/zipkin')
  })

  test('publishes the front proxy (8000, admin 8001) and Zipkin (9411) only, so services scale', () => {
    const published = (name: string) => (services[name]!.ports ?? []).map((p) => `${p.published}:${p.target}`).sort()
    expect(published('front-proxy')).toEqual(['8000:8000', '8001:8001', '8443:8443'])
    expect(published('zipkin')).toEqual(['9411:9411'])
    expect(published('service1')).toEqual([])
    expect(published('service2')).toEqual([])
    for (const [name, service] of Object.entries(services)) expect({ name, container_name: service.container_name }).toEqual({ name, container_name: undefined })
  })

  test('every proxy has a healthcheck on its admin /ready; services also check their app', () => {
    for (const name of proxies) {
      const check = services[name]!.healthcheck!.test.join(' ')
      expect(check).toContain('http://127.0.0.1:8001/ready')
      if (name !== 'front-proxy') expect(check).toContain('http://127.0.0.1:8080/healthz')
    }
    expect(services['front-proxy']!.depends_on).toMatchObject({ service1: { condition: 'service_healthy' }, service2: { condition: 'service_healthy' } })
  })

  test('every proxy sends spans to the zipkin service', () => {
    for (const name of proxies) expect(services[name]!.environment!.ZIPKIN_URL).toBe('http://zipkin:9411/api/v2/spans')
  })

  test('proxies mount the same routes/ directory the local demo uses, over the image copy', () => {
    for (const name of proxies) expect(services[name]!.volumes).toContain(`${join(ROOT, 'routes')}:/app/routes:ro`)
  })

  test('the front proxy config parses under the compose env: admin open to the network, clusters = compose services', () => {
    const config = configOf('front-proxy')
    expect(config.node.cluster).toBe('front-proxy')
    expect(config.admin).toEqual({ address: '0.0.0.0', port: 8001 })
    expect(config.listeners.map((l) => l.port)).toEqual([8000, 8443])
    for (const cluster of config.clusters) {
      expect(cluster.type).toBe('strict_dns')
      // Compose's DNS answers a service name with every replica: the scaling story depends on it.
      expect(services[cluster.endpoints[0]!.address]).toBeDefined()
      expect(services[cluster.endpoints[0]!.address]!.expose).toContain(String(cluster.endpoints[0]!.port))
    }
  })

  test('each service sidecar config parses under its compose env with its own node cluster and loopback admin', () => {
    for (const name of ['service1', 'service2'] as const) {
      const config = configOf(name)
      expect(config.node.cluster).toBe(name)
      expect(config.admin).toEqual({ address: '127.0.0.1', port: 8001 })
      const ingress = config.listeners.find((l) => l.direction === 'ingress')!
      expect(services[name]!.expose).toEqual([String(ingress.port)])
      for (const cluster of config.clusters.filter((c) => c.type === 'strict_dns')) expect(services[cluster.endpoints[0]!.address]).toBeDefined()
    }
  })

  test('build targets exist in the Dockerfile, and every path it copies exists in the repository', () => {
    const dockerfile = readFileSync(join(ROOT, 'compose/Dockerfile'), 'utf8')
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1])
    for (const name of proxies) {
      const build = services[name]!.build!
      expect(resolve(build.context)).toBe(ROOT)
      expect(build.dockerfile).toBe('compose/Dockerfile')
      expect(stages).toContain(build.target!)
    }
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gim)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1))
    expect(copied.length).toBeGreaterThan(3)
    for (const source of copied) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true })
    // The configs the images run by default are the routes/ files the tests parse.
    expect(dockerfile).toContain('"routes/front-proxy.yaml"')
    expect(readFileSync(join(ROOT, 'compose/service/start.sh'), 'utf8')).toContain('routes/sidecar.yaml')
  })
})

describe('routes/sidecar.yaml', () => {
  test('one file serves every service: node cluster, listeners and clusters per SERVICE_NAME', () => {
    for (const n of ['1', '2', '3']) {
      const config = loadRoutes('sidecar.yaml', { SERVICE_NAME: n })
      expect(config.node.cluster).toBe(`service${n}`)
      expect(config.listeners.map((l) => [l.name, l.address, l.port, l.direction])).toEqual([
        ['ingress_http', '0.0.0.0', 8000, 'ingress'],
        ['egress_http', '127.0.0.1', 9000, 'egress'],
      ])
      expect(config.clusters.map((c) => [c.name, c.type, c.endpoints])).toEqual([
        ['local_service', 'static', [{ address: '127.0.0.1', port: 8080 }]],
        ['service1', 'strict_dns', [{ address: 'service1', port: 8000 }]],
        ['service2', 'strict_dns', [{ address: 'service2', port: 8000 }]],
      ])
    }
  })

  test('egress routes /service/N and /trace/N to cluster serviceN with 5xx retries; ingress sends all to the app', () => {
    const config = loadRoutes('sidecar.yaml', { SERVICE_NAME: '1' })
    const [ingress, egress] = config.listeners
    expect(ingress!.virtualHosts[0]!.routes.map((r) => [r.match.prefix, r.cluster])).toEqual([['/', 'local_service']])
    const vhost = egress!.virtualHosts[0]!
    expect(vhost.routes.map((r) => [r.match.prefix, r.cluster])).toEqual([
      ['/service/1', 'service1'],
      ['/trace/1', 'service1'],
      ['/service/2', 'service2'],
      ['/trace/2', 'service2'],
    ])
    expect(vhost.retryPolicy).toMatchObject({ retryOn: ['5xx'], numRetries: 2 })
  })

  test('every address and port can be moved by env, for the local demo on loopback addresses', () => {
    const config = loadRoutes('sidecar.yaml', {
      SERVICE_NAME: '2',
      INGRESS_ADDRESS: '127.0.1.2',
      INGRESS_PORT: '18000',
      EGRESS_ADDRESS: '127.0.1.2',
      EGRESS_PORT: '19000',
      APP_ADDRESS: '127.0.1.2',
      APP_PORT: '18080',
      ADMIN_ADDRESS: '127.0.1.2',
      ADMIN_PORT: '18001',
      SERVICE1_HOST: 'service1.edgeway.test',
      SERVICE2_HOST: 'service2.edgeway.test',
      SERVICE_PORT: '18000',
      DNS_REFRESH_RATE: '1s',
    })
    expect(config.admin).toEqual({ address: '127.0.1.2', port: 18001 })
    expect(config.listeners.map((l) => `${l.address}:${l.port}`)).toEqual(['127.0.1.2:18000', '127.0.1.2:19000'])
    expect(config.clusters.map((c) => `${c.endpoints[0]!.address}:${c.endpoints[0]!.port}`)).toEqual([
      '127.0.1.2:18080',
      'service1.edgeway.test:18000',
      'service2.edgeway.test:18000',
    ])
    expect(config.clusters[1]!.dnsRefreshRateMs).toBe(1000)
  })

  test('without SERVICE_NAME the sidecar refuses to start instead of reporting as "service"', () => {
    expect(() => loadRoutes('sidecar.yaml', {})).toThrow('environment variable "SERVICE_NAME" is not set')
  })
})

describe('container scripts', () => {
  async function listen(status: number): Promise<Server> {
    const server = createServer((_, res) => res.writeHead(status).end('x'))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    return server
  }
  const portOf = (server: Server) => (server.address() as AddressInfo).port

  /** Runs a compose healthcheck with its fixed ports moved to ephemeral ones. */
  async function runCheck(service: string, ports: Record<string, number>): Promise<number | null> {
    const [kind, program, flag, script] = services[service]!.healthcheck!.test
    expect([kind, program, flag]).toEqual(['CMD', 'bun', '-e'])
    let moved = script!
    for (const [from, to] of Object.entries(ports)) moved = moved.replaceAll(`127.0.0.1:${from}/`, `127.0.0.1:${to}/`)
    // Asynchronous on purpose: the endpoints it checks are served by this very process.
    const child = spawn(BUN, ['-e', moved], { stdio: 'ignore', timeout: 10_000 })
    return new Promise((done) => child.once('exit', done))
  }

  test('healthcheck commands run on Bun and pass only when every checked endpoint answers 2xx', { timeout: 30_000 }, async () => {
    const ok = await listen(200)
    const down = await listen(503)
    try {
      expect(await runCheck('front-proxy', { 8001: portOf(ok) })).toBe(0)
      expect(await runCheck('front-proxy', { 8001: portOf(down) })).toBe(1)
      expect(await runCheck('service1', { 8001: portOf(ok), 8080: portOf(ok) })).toBe(0)
      expect(await runCheck('service1', { 8001: portOf(ok), 8080: portOf(down) })).toBe(1)
      expect(await runCheck('service2', { 8001: portOf(down), 8080: portOf(ok) })).toBe(1)
    } finally {
      ok.close()
      down.close()
    }
  })

  test('start.sh runs app and sidecar together and stops both with status 0 on SIGTERM', { timeout: 30_000 }, async () => {
    // A cluster endpoint cannot name port 0, so the app gets a port the kernel just handed out and took back.
    const probe = await listen(200)
    const appPort = String(portOf(probe))
    await new Promise((done) => probe.close(done))
    const ephemeral = { INGRESS_ADDRESS: '127.0.0.1', INGRESS_PORT: '0', EGRESS_PORT: '0', ADMIN_PORT: '0', APP_PORT: appPort }
    const child = spawn('bash', ['compose/service/start.sh'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, SERVICE_NAME: '2', ...ephemeral },
    })
    const exited = new Promise<number | null>((done) => child.once('exit', done))
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000)
    let out = ''
    const bothUp = new Promise<boolean>((done) => {
      const look = (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('sample service 2: listening on') && /service2: ingress_http on/.test(out)) done(true)
      }
      child.stdout!.on('data', look)
      child.stderr!.on('data', look)
      void exited.then(() => done(false))
    })
    expect({ bothUp: await bothUp, out }).toMatchObject({ bothUp: true })
    child.kill('SIGTERM')
    const code = await exited
    clearTimeout(killer)
    expect(code).toBe(0)
    // start.sh waited for both children, so nothing of the replica may be left.
    expect(() => process.kill(-child.pid!, 0)).toThrow()
  })

  test('start.sh stops the app and exits non-zero when the sidecar dies', async () => {
    const child = spawn('bash', ['compose/service/start.sh'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, SERVICE_NAME: '1', APP_PORT: '0', SIDECAR_CONFIG: '/nonexistent/sidecar.yaml' },
    })
    let err = ''
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
    const code = await new Promise<number | null>((done) => child.once('exit', done))
    clearTimeout(timer)
    expect(code).not.toBe(0)
    expect(code).not.toBeNull()
    expect(err).toContain('start.sh: sidecar exited')
    // Nothing of the replica is left in its process group (the app included).
    expect(() => process.kill(-child.pid!, 0)).toThrow()
  })
})
