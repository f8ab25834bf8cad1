// The config at startup and on every reload: the file's text read here, parsed and validated in
// the config loader process (src/config/loader-process.ts) so the serving process never loads
// YAML, zod or the schemas; warnings and every problem with its path on stderr, exit 1 at startup.

import { readFileSync } from 'node:fs'
import type { CliOptions } from './cli.ts'
import { ConfigError, type ConfigIssue } from './config/config-error.ts'
import { loadModel, type RunHelper } from './config/loader-process.ts'
import type { Config } from './config/model.ts'
import { AcceptedFiles } from './lifecycle/accepted-files.ts'
import { unsupportedFeatures } from './listener/runtime-support.ts'
import type { Runtime } from './runtime.ts'

export type StartupDeps = {
  readonly options: CliOptions
  readonly runtime: Runtime
  readonly runHelper: RunHelper
  readonly writeStderr: (chunk: string) => void
  /** Prints `edgeway: <message>` and exits 1. */
  readonly fail: (message: string) => never
}

export type ConfigSource = {
  readonly path: string
  readonly parse: (text: string, trigger?: string) => Promise<Config>
  /** Envoy's dynamic_resources files: always watched, as Envoy watches them. */
  readonly dynamicFiles: readonly { readonly kind: 'lds' | 'cds'; readonly path: string }[]
  readonly accepted: AcceptedFiles
}

/** The validated config with the command line's overrides, and how reloads re-read it (none without -c). */
export async function startupConfig(deps: StartupDeps): Promise<{ config: Config; source: ConfigSource | undefined }> {
  const { options, runtime } = deps
  const text = await configText(deps)
  // Every file the config reads, as last accepted: reloads of LDS / CDS files judge one file at a time.
  const accepted = new AcceptedFiles((path) => readFileSync(path, 'utf8'))
  accepted.begin(undefined)
  const loaded = checked(await reportConfigErrors(deps, () => loadModel(request(options, text, accepted), { runHelper: deps.runHelper, env: runtime.env })), deps)
  accepted.record(loaded.reads)
  accepted.track(loaded.dynamicFiles.map((f) => f.path))
  accepted.commit()
  return { config: withCliOverrides(loaded.config, options), source: reloadSource(deps, loaded.dynamicFiles, accepted) }
}

/** `edgeway convert`: the one command that needs the loader's document, not only its model, so the loader runs here. */
export async function convertedConfig(deps: StartupDeps): Promise<string> {
  const text = await configText(deps)
  const { loadConfig } = await import('./config/load-config.ts')
  const { convertConfig } = await import('./config/convert.ts')
  const loaded = checked(reportConfigErrors(deps, () => loadConfig(text, sourceName(deps.options), { env: deps.runtime.env, ...overlayOf(deps.options) })), deps)
  return convertConfig(loaded, deps.options.convertTo)
}

export function withCliOverrides(config: Config, options: CliOptions): Config {
  const cluster = options.serviceCluster ?? config.node.cluster
  const id = options.serviceNode ?? (config.node.id || cluster)
  return { ...config, node: { cluster, id } }
}

/** Reloads re-read the file through the same loader, with the same --config-yaml overlay and flags. */
function reloadSource(deps: StartupDeps, dynamicFiles: ConfigSource['dynamicFiles'], accepted: AcceptedFiles): ConfigSource | undefined {
  const { options } = deps
  const path = options.configPath
  if (path === undefined) return undefined
  const parse = async (text: string, trigger?: string) => {
    accepted.begin(trigger)
    const loaded = await loadModel(request(options, text, accepted), { runHelper: deps.runHelper, env: deps.runtime.env })
    accepted.record(loaded.reads)
    return withCliOverrides(loaded.config, options)
  }
  return { path, parse, dynamicFiles, accepted }
}

const sourceName = (options: CliOptions) => options.configPath ?? '--config-yaml'
const overlayOf = (options: CliOptions) => (options.configYaml !== undefined ? { overlay: options.configYaml } : {})
const request = (options: CliOptions, text: string, accepted: AcceptedFiles) => ({ text, source: sourceName(options), pinned: accepted.pinned(), ...overlayOf(options) })

async function configText({ options, runtime, fail, writeStderr }: StartupDeps): Promise<string> {
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
  if (options.v2ConfigOnly) writeStderr('edgeway: --v2-config-only has no effect: edgeway reads v2 and v3 spellings alike\n')
  return text
}

/** Warnings go to stderr; what this runtime's server cannot do is a config problem too, so --mode validate reports it. */
function checked<T extends { readonly config: Config; readonly warnings: readonly ConfigIssue[] }>(loaded: T, deps: StartupDeps): T {
  const source = sourceName(deps.options)
  for (const w of loaded.warnings) deps.writeStderr(`edgeway: warning: ${source}: ${w.path}: ${w.message}\n`)
  const unsupported = unsupportedFeatures(loaded.config, deps.runtime)
  if (unsupported.length) reportConfigErrors(deps, () => {
    throw new ConfigError(source, unsupported)
  })
  return loaded
}

/** A ConfigError is the user's: every problem on stderr, exit 1; anything else is a bug and propagates. */
function reportConfigErrors<T>(deps: StartupDeps, load: () => T): T {
  const failed = (error: unknown): never => {
    if (!(error instanceof ConfigError)) throw error
    deps.writeStderr(`${error.message}\n`)
    return deps.runtime.exit(1)
  }
  try {
    const result = load()
    return (result instanceof Promise ? result.catch(failed) : result) as T
  } catch (error) {
    return failed(error)
  }
}
