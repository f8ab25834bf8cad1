// Composition root: arguments → runtime → config → clusters and listeners → admin → signals.
// The only file that wires everything; user mistakes end here as one clear line and exit 1.

import { detectRuntime } from './adapter/detect.ts'
import type { Runtime } from './adapter/runtime.ts'
import { parseArgs, USAGE, UsageError, type CliOptions } from './cli.ts'
import { ConfigError } from './config/config-error.ts'
import { parseConfig } from './config/load-config.ts'
import type { Config } from './config/model.ts'
import { ListenError, startEdgeway } from './server.ts'
import { StatsStore } from './admin/stats.ts'
import { DEFAULTS } from './config/defaults.ts'
import packageJson from '../package.json' with { type: 'json' }

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
  const path = options.configPath!
  let text: string
  try {
    text = await runtime.readTextFile(path)
  } catch (error) {
    const code = (error as { code?: string; name?: string })?.code ?? (error as { name?: string })?.name
    fail(`cannot read config file "${path}": ${code === 'ENOENT' || code === 'NotFound' ? 'no such file' : code === 'EISDIR' || code === 'IsADirectory' ? 'is a directory' : (error as Error).message}`)
  }
  let config: Config
  try {
    config = withCliOverrides(parseConfig(text!, path, { env: runtime.env }), options)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      runtime.exit(1)
    }
    throw error
  }
  if (options.mode === 'validate') {
    write('OK\n')
    runtime.exit(0)
  }

  const stats = new StatsStore()
  const tracing = await startTracing(config!, runtime, stats)
  let running: Awaited<ReturnType<typeof startEdgeway>>
  try {
    running = await startEdgeway(config!, {
      runtime,
      stats,
      ...(tracing && { tracer: tracing.tracer }),
      version: packageJson.version,
      commandLineOptions: {
        config_path: path,
        service_cluster: config!.node.cluster,
        service_node: config!.node.id,
        mode: options.mode,
        log_level: options.logLevel,
        concurrency: 1,
      },
      write,
    })
  } catch (error) {
    if (error instanceof ListenError) fail(error.message)
    throw error
  }
  const where = [...running!.ports].map(([name, port]) => {
    const socket = name === 'admin' ? config!.admin! : config!.listeners.find((l) => l.name === name)!
    return `${name} on ${socket.address}:${port}`
  })
  write(`edgeway ${packageJson.version} (${runtime.name} ${runtime.version}) ${config!.node.cluster || 'edgeway'}: ${where.join(', ')}\n`)

  let stopping = false
  runtime.onShutdownSignal(async (signal) => {
    if (stopping) return
    stopping = true
    write(`edgeway: ${signal} received, shutting down\n`)
    await running.stop()
    // Flush what the exporter still holds: the last requests' spans are often the interesting ones.
    await tracing?.shutdown()
    runtime.exit(0)
  })
}

/**
 * Tracing is on when the config has a zipkin block or ZIPKIN_URL is set (which wins, so one
 * config serves both the bundled store and a real Zipkin). The SDK loads only when it is on.
 */
async function startTracing(config: Config, runtime: Runtime, stats: StatsStore) {
  const url = runtime.env('ZIPKIN_URL') || config.tracing?.zipkin.url
  if (!url) return undefined
  const zipkin = { ...DEFAULTS.zipkin, ...config.tracing?.zipkin, url: url.includes('/api/v2/spans') ? url : `${url.replace(/\/$/, '')}/api/v2/spans` }
  const { setupTracing } = await import('../tracing/index.ts')
  const { createRequestTracer } = await import('../tracing/request-tracer.ts')
  const tracing = setupTracing({ serviceName: config.node.cluster || 'edgeway', nodeId: config.node.id, zipkin, stats: stats.tracing() })
  return { tracer: createRequestTracer({ tracing, listenerStats: (l) => stats.listener(l.statPrefix) }), shutdown: () => tracing.shutdown() }
}

function withCliOverrides(config: Config, options: CliOptions): Config {
  const cluster = options.serviceCluster ?? config.node.cluster
  const id = options.serviceNode ?? (config.node.id || cluster)
  return { ...config, node: { cluster, id } }
}
