// `npm start`: the whole mesh as local processes, no Docker. Zipkin store, service1 ×3 and service2 ×1
// (app + sidecar per replica, each on its own loopback address) and the front proxy, found through DNS.

import { join, relative } from 'node:path'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { freshBundle } from '../../scripts/bundle.ts'
import { renderBanner } from './banner.ts'
import { startMeshDns, type MeshDns } from './dns.ts'
import { Mesh } from './mesh.ts'
import { LaunchUsageError, parseLaunchOptions, parseScale, SERVICES, USAGE, type LaunchOptions } from './options.ts'
import { probe, waitReady } from './probe.ts'
import { waitEgressSettled } from './egress-settled.ts'
import { writeStatusFile, type MeshStatus } from './status-file.ts'
import { Supervisor } from './supervisor.ts'
import { demoUrls, planFrontProxy, planZipkin, replicaAddress, sharedEndpoints } from './topology.ts'

const ROOT = join(import.meta.dirname, '../..')
const STARTUP_TIMEOUT_MS = 60_000

let options: LaunchOptions
try {
  options = parseLaunchOptions(process.argv.slice(2), (name) => process.env[name])
} catch (error) {
  if (!(error instanceof LaunchUsageError)) throw error
  if (error.message === 'help') {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  process.stderr.write(`up: ${error.message}\n${USAGE}\n`)
  process.exit(2)
}

// The built bundle while it is fresh (~3 MiB less RSS per proxy), as bin/edgeway picks it.
const bundle = freshBundle(ROOT)
if (bundle) options = { ...options, edgewayEntry: relative(ROOT, bundle) }
const shared = sharedEndpoints(options)
const write = (text: string) => void process.stdout.write(text)
let mesh: Mesh | undefined
let state: MeshStatus['state'] = 'starting'

const supervisor = new Supervisor({
  bun: process.execPath,
  cwd: ROOT,
  baseEnv: process.env,
  write,
  colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  restart: { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 10_000 },
  // Past the proxies' 5 s drain (--drain-time-s), which only lasts while requests are in flight.
  stopGraceMs: 8_000,
  onStart: (plan, pid) => {
    mesh?.onProcessStart(plan)
    // Ready once (this incarnation): from then on a crash is restarted, before it an exit 1 is final.
    void waitReady([plan.readyUrl], { timeoutMs: STARTUP_TIMEOUT_MS, cancelled: () => supervisor.pidOf(plan.name) !== pid }).then((ready) => {
      if (ready) supervisor.markReady(plan.name)
    })
    saveStatus()
  },
  onFailed: (plan) => {
    saveStatus()
    // While starting, a process that cannot start means the mesh cannot: say who, stop, exit 1.
    if (state === 'starting') void abort(`${plan.name} could not start (see its lines above)`)
  },
  onExit: (plan) => {
    mesh?.onProcessExit(plan)
    saveStatus()
  },
})

// Linux routes all of 127.0.0.0/8 to lo; macOS only 127.0.0.1 unless aliases are added.
const firstReplica = replicaAddress(options, 'service1', 1)
if (!(await canBind(firstReplica, 0))) {
  supervisor.report(`cannot listen on ${firstReplica}: replicas need their own loopback addresses (Linux has them; on macOS: sudo ifconfig lo0 alias ${firstReplica} up, per replica)`)
  process.exit(1)
}
// A taken port would otherwise show up as a restart loop; say which one, once, before starting anything.
const fixedPorts = [options.ports.frontHttp, options.ports.frontHttps, options.ports.frontAdmin, ...(options.externalZipkinUrl === undefined ? [options.ports.zipkin] : [])]
const taken = (await Promise.all(fixedPorts.map(async (port) => ((await canBind('127.0.0.1', port)) ? undefined : port)))).filter((p) => p !== undefined)
if (taken.length > 0) {
  supervisor.report(`port ${taken.join(', ')} on 127.0.0.1 is in use: move the mesh with --base-port (or EDGEWAY_HTTP_PORT, EDGEWAY_ADMIN_PORT, ZIPKIN_PORT)`)
  process.exit(1)
}

let dns: MeshDns
try {
  dns = await startMeshDns({ address: shared.dnsAddress, port: shared.dnsPort, names: SERVICES })
} catch (error) {
  supervisor.report(`cannot serve DNS on ${shared.dnsAddress}:${shared.dnsPort}/udp: ${(error as Error).message} (move it with DNS_PORT or --base-port)`)
  process.exit(1)
}

mesh = new Mesh({ options, shared, supervisor, dns, report: (m) => supervisor.report(m), changed: () => saveStatus() })
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))

const zipkin = planZipkin(options)
const frontProxy = planFrontProxy(options, shared)
if (zipkin) supervisor.start(zipkin)
void mesh.scaleAll()

// In order, each bounded by the same deadline: every replica in DNS, then the front proxy (so its
// first DNS answer already lists them all), then every demo route answering 2xx through it.
const deadline = Date.now() + STARTUP_TIMEOUT_MS
const left = () => Math.max(0, deadline - Date.now())
const starting = () => state === 'starting'
while (starting() && !mesh.allInDns() && left() > 0) await new Promise((r) => setTimeout(r, 100))
if (starting() && !mesh.allInDns()) {
  const missing = mesh.replicas().filter((r) => !r.inDns).map((r) => r.name)
  await abort(`not in DNS after ${STARTUP_TIMEOUT_MS / 1000}s: ${missing.join(', ')} (see their lines above)`)
}
if (starting()) supervisor.start(frontProxy)
const coreReady = starting() && (await waitReady([frontProxy.readyUrl, ...(zipkin ? [zipkin.readyUrl] : [])], { timeoutMs: left(), cancelled: () => !starting() }))
if (starting() && !coreReady) await abort(`the front proxy${zipkin ? ' or the zipkin store' : ''} is not ready after ${STARTUP_TIMEOUT_MS / 1000}s (see the output above)`)
const urls = demoUrls(options, shared)
const routes = [urls.service1, urls.service2, urls.trace]
const routesAnswer = starting() && (await waitReady(routes, { timeoutMs: left(), cancelled: () => !starting() }))
if (starting() && !routesAnswer) {
  const failing = (await Promise.all(routes.map(async (url) => ((await probe(url, 2_000)) ? undefined : url)))).filter(Boolean)
  await abort(`not every route answers after ${STARTUP_TIMEOUT_MS / 1000}s: ${failing.join(', ')}`)
}
// Every proxy's clusters must hold what DNS answers now: one that resolved a service before its
// first replica was in DNS would answer 503 UH until its next refresh.
const admins = [frontProxy.readyUrl, ...mesh.replicaPlans().map((plan) => plan.sidecar.readyUrl)].map((url) => url.replace(/\/ready$/, ''))
const unsettled = starting() ? await waitEgressSettled(admins, (service) => dns.records(service), SERVICES, { timeoutMs: left(), cancelled: () => !starting() }) : []
if (starting() && unsettled.length) await abort(`clusters do not match DNS after ${STARTUP_TIMEOUT_MS / 1000}s: ${unsettled.join('; ')}`)
if (starting()) {
  state = 'ready'
  saveStatus()
  write(renderBanner({ options, shared, replicas: mesh.replicaPlans(), processes: supervisor.states(), dnsRecords: (n) => dns.records(n) }))
  if (options.interactive) readCommands()
}

/** The mesh cannot come up: no banner, everything stopped, exit 1 with the reason. */
async function abort(reason: string): Promise<void> {
  if (state !== 'starting') return
  state = 'stopping'
  supervisor.report(`the mesh did not start: ${reason}`)
  mesh?.stop()
  await supervisor.stopAll()
  await dns.stop()
  state = 'stopped'
  saveStatus()
  process.exit(1)
}

/** `scale service1=5`, `status`: Compose's `--scale` and `ps`, while running. */
function readCommands(): void {
  const lines = createInterface({ input: process.stdin, terminal: false })
  lines.on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/)
    if (!command || state !== 'ready') return
    if (command === 'scale' && argument) {
      try {
        const [service, count] = parseScale(argument)
        supervisor.report(`scaling ${service} to ${count}`)
        void mesh!.scale(service, count)
      } catch (error) {
        supervisor.report((error as Error).message)
      }
    } else if (command === 'status' || command === 'ps') {
      for (const p of supervisor.states()) supervisor.report(`${p.name.padEnd(20)} ${p.state.padEnd(10)} pid ${p.pid ?? '-'} restarts ${p.restarts}`)
      for (const s of SERVICES) supervisor.report(`dns ${s} → ${dns.records(s).join(' ') || '-'}`)
      const degraded = [...supervisor.failures().map((f) => `${f.name} ${f.how}`), ...mesh!.replicas().filter((r) => !r.inDns).map((r) => `${r.name} not in DNS`)]
      supervisor.report(degraded.length ? `degraded: ${degraded.join('; ')}` : 'every process is up')
    } else supervisor.report(`unknown command "${line.trim()}": try "scale service1=5" or "status"`)
  })
}

async function shutdown(signal: string): Promise<void> {
  if (state === 'stopped') return
  if (state === 'stopping') {
    supervisor.report(`${signal} again: SIGKILL to every process`)
    supervisor.killAll()
    return
  }
  state = 'stopping'
  supervisor.report(`${signal}: stopping ${supervisor.states().filter((p) => p.pid !== undefined).length} processes`)
  mesh?.stop()
  saveStatus()
  await supervisor.stopAll()
  await dns.stop()
  state = 'stopped'
  saveStatus()
  supervisor.report('every process stopped')
  process.exit(0)
}

function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(port, address, () => server.close(() => done(true)))
  })
}

function saveStatus(): void {
  if (!options.statusFile) return
  writeStatusFile(options.statusFile, {
    launcherPid: process.pid,
    state,
    urls: demoUrls(options, shared),
    dnsServer: `${shared.dnsAddress}:${shared.dnsPort}`,
    processes: supervisor.states(),
    replicas: mesh?.replicas() ?? [],
    pidsSeen: supervisor.pidsSeen,
  })
}
