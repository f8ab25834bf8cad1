// Composition root: arguments → runtime → config → one process, or a primary and its workers → signals.
// The only file that wires everything; user mistakes end here as one clear line and exit 1.

import { Logger, parseLogLevel } from './log/logger.ts'
import { detectRuntime } from './adapter/detect.ts'
import type { Runtime } from './runtime.ts'
import { parseArgs, USAGE, UsageError, type CliOptions } from './cli.ts'
import type { Config } from './config/model.ts'
import { ListenError } from './listener/listen.ts'
import { startEdgeway } from './server.ts'
import { workerSupport } from './adapter/worker-support.ts'
import type { RunningPrimary } from './workers/primary.ts'
import { readWorkerEnv, type WorkerEnv } from './workers/protocol.ts'
import { applyEndpoint, onOrphaned, snapshotEndpoint, tellPrimary, workerConfig } from './workers/worker.ts'
import { createReloader, watchConfigFile, watchDynamicFiles } from './lifecycle/reload.ts'
import { runHelper } from './adapter/helper-process.ts'
import { convertedConfig, startupConfig, type ConfigSource } from './startup-config.ts'
import { StatsStore } from './stats/stats-store.ts'
import { DEFAULTS } from './config/defaults.ts'
import { DEFAULT_DRAIN_TIME_MS } from './lifecycle/drain-time.ts'
import { LayeredRuntime } from './layered-runtime/layered-runtime.ts'
import packageJson from '../package.json' with { type: 'json' }
import { commandLineOptions, startupLine } from './startup-info.ts'
import { onProcessExit } from './adapter/process.ts'
import { cliAccessLogOutputs } from './access-log/cli-outputs.ts'
import { processOutput } from './log/process-output.ts'

const runtime = await detectRuntime()
// Descriptors 1 and 2 by FdSink, never process.stdout / stderr (process-output.ts says why).
runtime.nonBlockingStdio()
const output = processOutput(onProcessExit)
const write = output.stdout.write
const writeStderr = output.stderr.write
// node:fs/promises only for the file watches (--watch-config, LDS / CDS files), when one runs.
const stat = async (path: string) => (await import('node:fs/promises')).stat(path)
const fail = (message: string): never => {
  writeStderr(`edgeway: ${message}\n`)
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
  const deps = { options, runtime, runHelper, fail, writeStderr }
  if (options.command === 'convert') {
    write(await convertedConfig(deps))
    runtime.exit(0)
  }
  const { config, source } = await startupConfig(deps)
  if (options.mode === 'validate') {
    write('OK\n')
    runtime.exit(0)
  }
  if (worker) return serveOneProcess(config, options, runtime, worker)
  const concurrency = chooseConcurrency(options, runtime)
  if (concurrency > 1) return runPrimary(config, options, runtime, concurrency, source)
  return serveOneProcess(config, options, runtime, undefined, source)
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

/** Access-log buffers written straight to the descriptors, flushed at exit whatever the way out. */
function accessLogsFor(options: CliOptions) {
  const outputs = cliAccessLogOutputs({
    output,
    log: (line) => writeStderr(`${line}\n`),
    ...(options.fileFlushIntervalMs !== undefined && { flushIntervalMs: options.fileFlushIntervalMs }),
    ...(options.fileFlushMinSizeKb !== undefined && { flushMinBytes: options.fileFlushMinSizeKb * 1024 }),
  })
  onProcessExit(() => outputs.flushAndDrain())
  return outputs
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
      writeStderr,
      accessLogs: accessLogsFor(options),
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
  // Only a primary supervises workers: a single process never loads that code.
  const { startPrimary, WorkerStartError } = await import('./workers/primary.ts')
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
  const tracing = setupTracing({ serviceName: config.node.cluster || 'edgeway', nodeId: config.node.id, zipkin, stats: stats.tracing(), traceId128Bit: config.tracing?.zipkin.traceId128Bit ?? false, sequentialStrings: runtime.sequentialStrings, upstreamFetch: runtime.upstreamFetch, userAgent: `edgeway/${packageJson.version} (${runtime.name} ${runtime.version})` })
  const tracer = createRequestTracer({
    tracing,
    listenerStats: (l) => stats.listener(l.statPrefix),
    sharedSpanContext: zipkin.sharedSpanContext,
    b3Headers: zipkin.b3Headers,
    env: (name) => runtime.env(name),
    runtime: layeredRuntime,
    sequentialStrings: runtime.sequentialStrings,
  })
  return { tracer, shutdown: () => tracing.shutdown() }
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

function reloaderFor(source: ConfigSource, stats: StatsStore, apply: (config: Config) => Promise<number>) {
  const applied = async (config: Config) => {
    const version = await apply(config)
    source.accepted.commit()
    return version
  }
  return createReloader({ path: source.path, readTextFile: (path) => runtime.readTextFile(path), parse: source.parse, apply: applied, stats: stats.reload(), log: (line) => write(`${line}\n`) })
}
