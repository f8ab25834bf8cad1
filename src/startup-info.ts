// What the CLI reports of a started proxy: the one startup line (listeners, ports, workers) and the
// command-line options /server_info shows, in Envoy's names.

import type { CliOptions } from './cli.ts'
import type { Config } from './config/model.ts'
import packageJson from '../package.json' with { type: 'json' }

/** Envoy's /server_info command_line_options, from the flags as parsed. */
export function commandLineOptions(options: CliOptions, config: Config, concurrency: number): Record<string, unknown> {
  return {
    config_path: options.configPath,
    ...(options.configYaml !== undefined && { config_yaml: options.configYaml }),
    ...(options.logFormat !== undefined && { log_format: options.logFormat }),
    ...(options.drainTimeS !== undefined && { drain_time_s: options.drainTimeS }),
    // Envoy's name and unit (a Duration) for --file-flush-interval-msec.
    ...(options.fileFlushIntervalMs !== undefined && { file_flush_interval: `${options.fileFlushIntervalMs / 1000}s` }),
    service_cluster: config.node.cluster,
    service_node: config.node.id,
    mode: options.mode,
    log_level: options.logLevel,
    concurrency,
  }
}

/** `edgeway <version> (<runtime>) <cluster>: <listener> on <address:port>, …` */
export function startupLine(config: Config, ports: ReadonlyMap<string, number>, concurrency: number, runtime: { readonly name: string; readonly version: string }): string {
  const where = [...ports].map(([name, port]) => {
    const socket = name === 'admin' ? config.admin! : config.listeners.find((l) => l.name === name)!
    const tls = name !== 'admin' && (socket as Config['listeners'][number]).tls ? ' (tls)' : ''
    return `${name} on ${socket.address}:${port}${tls}`
  })
  const workers = concurrency > 1 ? ` (${concurrency} workers)` : ''
  return `edgeway ${packageJson.version} (${runtime.name} ${runtime.version}) ${config.node.cluster || 'edgeway'}: ${where.join(', ')}${workers}\n`
}
