// The one edge where config text becomes a trusted, frozen model: env expansion, YAML (or JSON),
// the front end the document's shape calls for (compact, or Envoy's bootstrap), schema,
// cross-references. Every problem is collected and thrown together as one ConfigError.

import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument, visit, type Document } from 'yaml'
import { ConfigError, type ConfigIssue } from './config-error.ts'
import { expandEnv } from './env-expand.ts'
import { isEnvoyBootstrap } from './envoy/detect.ts'
import { loadEnvoy } from './envoy/load-envoy.ts'
import type { DynamicFile, ResourceReader } from './envoy/dynamic-resources.ts'
import { mergeOverlay } from './envoy/merge.ts'
import { toIssues } from './issues.ts'
import type { Config, DynamicResources } from './model.ts'
import { configSchema, type ConfigFile } from './schema.ts'
import { semanticIssues } from './semantic-checks.ts'
import { loadDownstreamTls } from './tls-load.ts'
import { toModel } from './to-model.ts'
import { resolveAccessLogFiles } from './access-log-files.ts'
import { loadUpstreamTls } from './upstream-tls-load.ts'

export type LoadOptions = {
  /** Environment lookup for ${VAR} expansion. */
  readonly env: (name: string) => string | undefined
  /** Envoy's `--config-yaml`: merged on top of the file (mappings merge, lists append, values replace). */
  readonly overlay?: string
  /** Fields read but without effect here: one line each, the config still loads. */
  readonly onWarning?: (issue: ConfigIssue) => void
  /** Reads certificate and key files; default node:fs. */
  readonly readFile?: (path: string) => string
  /** Where relative certificate filenames resolve; default the folder of `source`. */
  readonly baseDir?: string
  /** For certificate expiry checks; default Date.now(). */
  readonly nowMs?: number
}

export type LoadedConfig = {
  readonly config: Config
  readonly format: 'compact' | 'envoy'
  /** The compact document the model was built from (for an Envoy file: its translation). */
  readonly compact: unknown
  readonly warnings: readonly ConfigIssue[]
  /** Envoy's dynamic_resources: the LDS / CDS files read, which a change must reload. */
  readonly dynamicFiles: readonly DynamicFile[]
}

export function parseConfig(text: string, source: string, options: LoadOptions): Config {
  const loaded = loadConfig(text, source, options)
  for (const warning of loaded.warnings) options.onWarning?.(warning)
  return loaded.config
}

/** `text` may be empty when the whole config comes from `options.overlay`. */
export function loadConfig(text: string, source: string, options: LoadOptions): LoadedConfig {
  let raw = parseYaml(text, source, options)
  if (options.overlay !== undefined) raw = mergeOverlay(raw, parseYaml(options.overlay, '--config-yaml', options))
  if (isEnvoyBootstrap(raw)) {
    const envoy = loadEnvoy(raw as Record<string, unknown>, resourceReader(source, options))
    if (!envoy.file) throw new ConfigError(source, envoy.errors)
    const built = buildModel(envoy.file, source, options, (path) => envoy.paths.toEnvoy(path), dynamicOf(envoy.files))
    return { config: built.config, format: 'envoy', compact: envoy.compact, warnings: [...envoy.warnings, ...built.warnings], dynamicFiles: envoy.files }
  }
  const parsed = configSchema.safeParse(raw, { reportInput: true })
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error))
  const semantic = semanticIssues(parsed.data)
  if (semantic.length) throw new ConfigError(source, semantic)
  const built = buildModel(parsed.data as ConfigFile, source, options)
  return { config: built.config, format: 'compact', compact: raw, warnings: built.warnings, dynamicFiles: [] }
}

/** The frozen model of a checked file: TLS certificates, keys and CAs are read and checked here (both front ends). */
function buildModel(file: ConfigFile, source: string, options: LoadOptions, userPath: (path: string) => string = (path) => path, dynamic?: DynamicResources): { config: Config; warnings: ConfigIssue[] } {
  const io = { readFile: options.readFile ?? ((path: string) => readFileSync(path, 'utf8')), baseDir: options.baseDir ?? dirname(resolve(source)), nowMs: options.nowMs ?? Date.now() }
  const issues: ConfigIssue[] = []
  const tls = file.listeners.map((l, i) => {
    if (!l.tls) return undefined
    const loaded = loadDownstreamTls(l.tls, `listeners[${i}].tls`, io)
    issues.push(...loaded.issues.map((issue) => ({ ...issue, path: userPath(issue.path) })))
    return loaded.tls
  })
  const warnings: ConfigIssue[] = []
  const clusterTls = file.clusters.map((c, i) => {
    if (!c.tls) return undefined
    const loaded = loadUpstreamTls(c.tls, `clusters[${i}].tls`, c.http2_protocol_options !== undefined, io)
    issues.push(...loaded.issues.map((issue) => ({ ...issue, path: userPath(issue.path) })))
    warnings.push(...loaded.warnings.map((issue) => ({ ...issue, path: userPath(issue.path) })))
    return loaded
  })
  const logs = resolveAccessLogFiles(file, io.baseDir, userPath)
  issues.push(...logs.issues)
  if (issues.length) throw new ConfigError(source, issues)
  const model = toModel(logs.file, tls, clusterTls)
  return { config: deepFreeze(dynamic ? { ...model, dynamic } : model), warnings }
}

function dynamicOf(files: readonly DynamicFile[]): DynamicResources | undefined {
  if (files.length === 0) return undefined
  const entry = (kind: 'lds' | 'cds') => files.find((f) => f.kind === kind)
  const lds = entry('lds')
  const cds = entry('cds')
  return { ...(lds && { lds: { path: lds.path, names: lds.names } }), ...(cds && { cds: { path: cds.path, names: cds.names } }) }
}

/** LDS / CDS files, relative to the config's folder as certificates are; YAML or JSON like the config. */
function resourceReader(source: string, options: LoadOptions): ResourceReader {
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'))
  const baseDir = options.baseDir ?? dirname(resolve(source))
  return (file) => {
    const path = resolve(baseDir, file)
    let text: string
    try {
      text = read(path)
    } catch (error) {
      const code = (error as { code?: string }).code
      return { path, error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message }
    }
    try {
      return { path, document: parseYaml(text, path, options) }
    } catch (error) {
      if (error instanceof ConfigError) return { path, error: error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') }
      throw error
    }
  }
}

function parseYaml(text: string, source: string, options: LoadOptions): unknown {
  const expanded = expandEnv(text, options.env)
  if (expanded.issues.length) throw new ConfigError(source, expanded.issues)
  const lineCounter = new LineCounter()
  const document = parseDocument(expanded.text, { prettyErrors: true, uniqueKeys: true, lineCounter })
  if (document.errors.length) {
    const issues: ConfigIssue[] = document.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}:${e.linePos[0].col}` : '(yaml)',
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    }))
    throw new ConfigError(source, issues)
  }
  const raw = toPlain(document, lineCounter)
  if ('issue' in raw) throw new ConfigError(source, [raw.issue])
  return raw.value
}

/** yaml's default budget: aliases may expand to 100 nodes in all, enough for shared settings. */
const MAX_ALIAS_EXPANSIONS = 100

/**
 * The document as plain data. A "billion laughs" file (aliases of aliases) would expand to
 * gigabytes: yaml stops at the budget and this names the first alias instead of a stack trace.
 */
function toPlain(document: Document, lineCounter: LineCounter): { value: unknown } | { issue: ConfigIssue } {
  try {
    return { value: document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS }) ?? {} }
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error
    let path = '(yaml)'
    visit(document, {
      Alias(_key, node) {
        const at = node.range && lineCounter.linePos(node.range[0])
        if (at) path = `line ${at.line}:${at.col}`
        return visit.BREAK
      },
    })
    return {
      issue: {
        path,
        message: `YAML aliases expand past ${MAX_ALIAS_EXPANSIONS} nodes (an alias bomb?): write the repeated values out or use fewer aliases`,
      },
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
