// Composition root: arguments → runtime → config → one process, or a primary and its workers → signals.
// The only file that wires everything; user mistakes end here as one clear line and exit 1.

import { Logger, parseLogLevel } from './log/logger.ts'
import { detectRuntime } from './adapter/detect.ts'
import type { Runtime } from './runtime.ts'
import { parseArgs, USAGE, UsageError, type CliOptions } from './cli.ts'
import { ConfigError } from './config/config-error.ts'
import type { Config } from './config/model.ts'
import { ListenError } from './listener/listen.ts'
import { unsupportedFeatures } from './listener/runtime-support.ts'
import { startEdgeway } from './server.ts'
import { workerSupport } from './adapter/worker-process.ts'
import { startPrimary, WorkerStartError, type RunningPrimary } from './workers/primary.ts'
import { readWorkerEnv, type WorkerEnv } from './workers/protocol.ts'
import { applyEndpoint, onOrphaned, snapshotEndpoint, tellPrimary, workerConfig } from './workers/worker.ts'
import { createReloader, watchConfigFile, watchDynamicFiles } from './lifecycle/reload.ts'
import { stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { AcceptedFiles } from './lifecycle/accepted-files.ts'
import { StatsStore } from './stats/stats-store.ts'
import { DEFAULTS } from './config/defaults.ts'
import { DEFAULT_DRAIN_TIME_MS } from './lifecycle/drain-time.ts'
import { LayeredRuntime } from './layered-runtime/layered-runtime.ts'
import packageJson from '../package.json' with { type: 'json' }
import { commandLineOptions, startupLine } from './startup-info.ts'

const runtime = await detectRuntime()
const write = (chunk: string) => void process.stdout.write(chunk)
const fail = (message: string): never => {
  process.stderr.write(`edgeway: ${message}\n`)
  return runtime.exit(1)
}

let options: CliOptions
try {
  options = parseArgs(runtime.args())
} catch (error) {
  if (error instanceof UsageError) fail(`${error.message}\n${USAGE}`)
  throw error
}

if (options!.command === 'help') {
  write(`${USAGE}\n`)
  runtime.exit(0)
}
if (options!.command === 'version') {
  write(`edgeway ${packageJson.version} (${runtime.name} ${runtime.version})\n`)
  runtime.exit(0)
}
if (options!.command === 'zipkin') {
  const { runZipkinCommand } = await import('../tracing/zipkin-store/main.ts')
  await runZipkinCommand([...options!.rest], runtime)
} else {
  await runProxy(options!, runtime)
}

async function runProxy(options: CliOptions, runtime: Runtime): Promise<void> {
  const worker = readWorkerEnv(runtime.env)
  if (worker?.config) return serveOneProcess(worker.config, options, runtime, worker)
  // Every file the config reads, as last accepted: reloads of LDS / CDS files judge one file at a time.
  const accepted = new AcceptedFiles((path) => readFileSync(path, 'utf8'))
  accepted.begin(undefined)
  const loaded = await loadFromOptions(options, runtime, accepted.readFile)
  accepted.track(loaded.dynamicFiles.map((f) => f.path))
  accepted.commit()
  if (options.command === 'convert') {
    const { convertConfig } = await import('./config/convert.ts')
    write(convertConfig(loaded, options.convertTo))
    runtime.exit(0)
  }
  const config = withCliOverrides(loaded.config, options)
  if (options.mode === 'validate') {
    write('OK\n')
    runtime.exit(0)
  }

  if (worker) return serveOneProcess(config, options, runtime, worker)
  const source = await reloadSource(options, runtime, loaded.dynamicFiles, accepted)
  const concurrency = chooseConcurrency(options, runtime)
  if (concurrency > 1) return runPrimary(config, options, runtime, concurrency, source)
  return serveOneProcess(config, options, runtime, undefined, source)
}

/** Reloads re-read the file through the same front end, with the same --config-yaml overlay and flags. */
async function reloadSource(options: CliOptions, runtime: Runtime, dynamicFiles: ConfigSource['dynamicFiles'], accepted: AcceptedFiles): Promise<ConfigSource | undefined> {
  const path = options.configPath
  if (path === undefined) return undefined
  const { loadConfig } = await import('./config/load-config.ts')
  const parse = (text: string, trigger?: string) => {
    accepted.begin(trigger)
    return withCliOverrides(loadConfig(text, path, { env: runtime.env, readFile: accepted.readFile, ...(options.configYaml !== undefined && { overlay: options.configYaml }) }).config, options)
  }
  return { path, parse, dynamicFiles, accepted }
}

/** The file (`-c`) and `--config-yaml` on top, through the front end their shape calls for; warnings go to stderr. */
async function loadFromOptions(options: CliOptions, runtime: Runtime, readFile: (path: string) => string) {
  const path = options.configPath
  let text = ''
  if (path !== undefined) {
    try {
      text = await runtime.readTextFile(path)
    } catch (error) {
      const code = (error as { code?: string; name?: string })?.code ?? (error as { name?: string })?.name
      fail(`cannot read config file "${path}": ${code === 'ENOENT' || code === 'NotFound' ? 'no such file' : code === 'EISDIR' || code === 'IsADirectory' ? 'is a directory' : (error as Error).message}`)
    }
  }
  if (options.v2ConfigOnly) process.stderr.write('edgeway: --v2-config-only has no effect: edgeway reads v2 and v3 spellings alike\n')
  // Loaded here, not at the top: workers take the primary's config and never load YAML or zod.
  const { loadConfig } = await import('./config/load-config.ts')
  const source = path ?? '--config-yaml'
  try {
    const loaded = loadConfig(text, source, { env: runtime.env, readFile, ...(options.configYaml !== undefined && { overlay: options.configYaml }) })
    for (const w of loaded.warnings) process.stderr.write(`edgeway: warning: ${source}: ${w.path}: ${w.message}\n`)
    // What this runtime's server cannot do is a config problem too, so --mode validate reports it.
    const unsupported = unsupportedFeatures(loaded.config, runtime)
    if (unsupported.length) throw new ConfigError(source, unsupported)
    return loaded
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      return runtime.exit(1)
    }
    throw error
  }
}

/** One process per core by default; one when workers cannot run here (said once, unless asked for). */
function chooseConcurrency(options: CliOptions, runtime: Runtime): number {
  const wanted = options.concurrency ?? runtime.hardwareConcurrency()
  if (wanted <= 1) return 1
  const why = workerSupport()
  if (why === undefined) return wanted
  if (options.concurrency !== undefined) fail(`--concurrency ${wanted}: ${why}`)
  write(`edgeway: running 1 process instead of one per core (${wanted}): ${why}\n`)
  return 1
}

/** `--log-level` for every component (workers get the same flag on their command line). */
function loggerFor(options: CliOptions): Logger {
  return new Logger(write, parseLogLevel(options.logLevel) ?? 'info')
}

/** The whole proxy in this process (--concurrency 1), or one worker of a primary. */
async function serveOneProcess(config: Config, options: CliOptions, runtime: Runtime, worker: WorkerEnv | undefined, source?: ConfigSource): Promise<void> {
  const stats = new StatsStore()
  const reload = source && reloaderFor(source, stats, async (next) => (noteRuntimeChange(config, next), await running.apply(next), running.generation().version))
  // One per process: the fault filter and tracing's sampling read the same layers.
  const layeredRuntime = new LayeredRuntime(config.runtime, { serviceCluster: config.node.cluster, stats: stats.runtime() })
  const tracing = await startTracing(config, runtime, stats, layeredRuntime)
  let running: Awaited<ReturnType<typeof startEdgeway>>
  try {
    running = await startEdgeway(worker ? workerConfig(config, worker) : config, {
      runtime,
      stats,
      layeredRuntime,
      ...(tracing && { tracer: tracing.tracer }),
      version: packageJson.version,
      commandLineOptions: commandLineOptions(options, config, options.concurrency ?? 1),
      write,
      writeStderr: (chunk) => void process.stderr.write(chunk),
      logger: loggerFor(options),
      reusePort: worker !== undefined,
      systemDns: systemDnsPaths(runtime),
      ...(options.drainTimeS !== undefined && { drainTimeMs: options.drainTimeS * 1000 }),
      ...(reload && { reload }),
      ...(worker && { adminEndpoints: (sources) => [snapshotEndpoint(worker, sources), applyEndpoint((next) => running.apply(workerConfig(next, worker)))] }),
    })
  } catch (error) {
    if (error instanceof ListenError) {
      // The primary prints it once and stops every worker; a worker only prints when it is gone.
      if (worker && (await tellPrimary(worker, { type: 'failed', index: worker.index, pid: process.pid, message: error.message }))) runtime.exit(1)
      fail(error.message)
    }
    throw error
  }

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    if (!worker) write(`edgeway: ${signal} received, draining (at most ${options.drainTimeS ?? DEFAULT_DRAIN_TIME_MS / 1000} s)\n`)
    await running.drain()
    // Flush what the exporter still holds: the last requests' spans are often the interesting ones.
    await tracing?.shutdown()
    runtime.exit(0)
  }
  runtime.onShutdownSignal(shutdown)
  // A worker leaves reloads to its primary, but must not die of a hangup sent to its process group.
  runtime.onReloadSignal(() => void reload?.())
  if (reload && options.watchConfig) watchConfigFile(source!.path, reload, { stat, readTextFile: runtime.readTextFile })
  if (reload) watchDynamicFiles(source!.dynamicFiles, reload, (kind) => stats.xds(kind), { stat, readTextFile: runtime.readTextFile, baseline: (path) => source!.accepted.accepted(path) })
  if (!worker) {
    write(startupLine(config, running!.ports, 1, runtime))
    return
  }
  const ports = Object.fromEntries(config.listeners.map((l) => [l.name, running!.ports.get(l.name)!]))
  const live = { type: 'live', index: worker.index, pid: process.pid, adminPort: running!.ports.get('admin')!, ports } as const
  if (!(await tellPrimary(worker, live))) return shutdown('primary gone')
  onOrphaned(() => void shutdown('primary gone'))
}

async function runPrimary(config: Config, options: CliOptions, runtime: Runtime, concurrency: number, source: ConfigSource | undefined): Promise<void> {
  let running: RunningPrimary
  const stats = new StatsStore()
  const reload = source && reloaderFor(source, stats, async (next) => (noteRuntimeChange(config, next), await running.apply(next), running.generation().version))
  try {
    running = await startPrimary(config, {
      runtime,
      concurrency,
      version: packageJson.version,
      commandLineOptions: commandLineOptions(options, config, concurrency),
      write,
      logger: loggerFor(options),
      ...(reload && { reload }),
      stats,
      ...(options.drainTimeS !== undefined && { drainTimeMs: options.drainTimeS * 1000 }),
    })
  } catch (error) {
    if (error instanceof ListenError || error instanceof WorkerStartError) fail(error.message)
    throw error
  }
  write(startupLine(config, running!.ports, concurrency, runtime))
  let stopping = false
  runtime.onShutdownSignal(async (signal) => {
    if (stopping) return
    stopping = true
    write(`edgeway: ${signal} received, draining ${concurrency} workers (at most ${options.drainTimeS ?? DEFAULT_DRAIN_TIME_MS / 1000} s)\n`)
    await running.stop()
    runtime.exit(0)
  })
  runtime.onReloadSignal(() => void reload?.())
  if (reload && options.watchConfig) watchConfigFile(source!.path, reload, { stat, readTextFile: runtime.readTextFile })
  if (reload) watchDynamicFiles(source!.dynamicFiles, reload, (kind) => stats.xds(kind), { stat, readTextFile: runtime.readTextFile, baseline: (path) => source!.accepted.accepted(path) })
}

/** `edgeway 0.1.0 (bun 1.x) front-proxy: ingress_http on 0.0.0.0:8000, admin on 127.0.0.1:8001`; tests and scripts read it. */
/**
 * Tracing is on when the config has a zipkin block or ZIPKIN_URL is set (which wins, so one
 * config serves both the bundled store and a real Zipkin). The SDK loads only when it is on.
 */
async function startTracing(config: Config, runtime: Runtime, stats: StatsStore, layeredRuntime: LayeredRuntime) {
  const url = runtime.env('ZIPKIN_URL') || config.tracing?.zipkin.url
  if (!url) return undefined
  const zipkin = { ...DEFAULTS.zipkin, ...config.tracing?.zipkin, url: url.includes('/api/v2/spans') ? url : `${url.replace(/\/$/, '')}/api/v2/spans` }
  const { setupTracing } = await import('../tracing/index.ts')
  const { createRequestTracer } = await import('../tracing/request-tracer.ts')
  const tracing = setupTracing({ serviceName: config.node.cluster || 'edgeway', nodeId: config.node.id, zipkin, stats: stats.tracing(), traceId128Bit: config.tracing?.zipkin.traceId128Bit ?? false })
  const tracer = createRequestTracer({
    tracing,
    listenerStats: (l) => stats.listener(l.statPrefix),
    sharedSpanContext: zipkin.sharedSpanContext,
    b3Headers: zipkin.b3Headers,
    env: (name) => runtime.env(name),
    runtime: layeredRuntime,
  })
  return { tracer, shutdown: () => tracing.shutdown() }
}

function withCliOverrides(config: Config, options: CliOptions): Config {
  const cluster = options.serviceCluster ?? config.node.cluster
  const id = options.serviceNode ?? (config.node.id || cluster)
  return { ...config, node: { cluster, id } }
}

/** EDGEWAY_RESOLV_CONF / EDGEWAY_HOSTS_FILE point system DNS at other files (tests, odd hosts). */
function systemDnsPaths(runtime: Runtime) {
  const resolvConfPath = runtime.env('EDGEWAY_RESOLV_CONF')
  const hostsPath = runtime.env('EDGEWAY_HOSTS_FILE')
  return { ...(resolvConfPath && { resolvConfPath }), ...(hostsPath && { hostsPath }) }
}

/** As Envoy, layered_runtime is read once at start: a reload that changes it says so instead of ignoring it silently. */
function noteRuntimeChange(started: Config, next: Config): void {
  if (JSON.stringify(started.runtime) !== JSON.stringify(next.runtime)) write('edgeway: layered_runtime changed: its layers are read at start only; restart to apply the change (runtime keys can change live through a disk layer or /runtime_modify)\n')
}

type ConfigSource = {
  readonly path: string
  readonly parse: (text: string, trigger?: string) => Config
  /** Envoy's dynamic_resources files: always watched, as Envoy watches them. */
  readonly dynamicFiles: readonly { readonly kind: 'lds' | 'cds'; readonly path: string }[]
  readonly accepted: AcceptedFiles
}

function reloaderFor(source: ConfigSource, stats: StatsStore, apply: (config: Config) => Promise<number>) {
  const applied = async (config: Config) => {
    const version = await apply(config)
    source.accepted.commit()
    return version
  }
  return createReloader({ path: source.path, readTextFile: (path) => runtime.readTextFile(path), parse: source.parse, apply: applied, stats: stats.reload(), log: (line) => write(`${line}\n`) })
}
