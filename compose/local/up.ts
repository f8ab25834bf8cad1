// `npm start`: the whole mesh as local processes, no Docker. Zipkin store, service1 ×3 and service2 ×1
// (app + sidecar per replica, each on its own loopback address) and the front proxy, found through DNS.

import { join } from 'node:path'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { renderBanner } from './banner.ts'
import { startMeshDns, type MeshDns } from './dns.ts'
import { Mesh } from './mesh.ts'
import { LaunchUsageError, parseLaunchOptions, parseScale, SERVICES, USAGE, type LaunchOptions } from './options.ts'
import { waitReady } from './probe.ts'
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
  stopGraceMs: 5_000,
  onStart: (plan) => {
    mesh?.onProcessStart(plan)
    saveStatus()
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
const fixedPorts = [options.ports.frontHttp, options.ports.frontAdmin, ...(options.externalZipkinUrl === undefined ? [options.ports.zipkin] : [])]
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
await mesh.scaleAll()
supervisor.start(frontProxy)

const deadline = Date.now() + STARTUP_TIMEOUT_MS
const coreReady = await waitReady([frontProxy.readyUrl, ...(zipkin ? [zipkin.readyUrl] : [])], { timeoutMs: STARTUP_TIMEOUT_MS, cancelled: () => state !== 'starting' })
while (state === 'starting' && !mesh.allInDns() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
if (state === 'starting') {
  if (!coreReady || !mesh.allInDns()) supervisor.report(`not everything is ready after ${STARTUP_TIMEOUT_MS / 1000}s; see the output above (a port in use?)`)
  // One more refresh period, so the front proxy has resolved every replica before anyone curls it.
  await new Promise((r) => setTimeout(r, 1_100))
  state = 'ready'
  saveStatus()
  write(renderBanner({ options, shared, replicas: mesh.replicaPlans(), processes: supervisor.states(), dnsRecords: (n) => dns.records(n) }))
  if (options.interactive) readCommands()
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
