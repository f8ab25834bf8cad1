// The one edge where config text becomes a trusted, frozen model: env expansion, YAML, schema,
// cross-references. Every problem is collected and thrown together as one ConfigError.

import { parseDocument } from 'yaml'
import { ConfigError, type ConfigIssue } from './config-error.ts'
import { expandEnv } from './env-expand.ts'
import { toIssues } from './issues.ts'
import type { Config } from './model.ts'
import { configSchema } from './schema.ts'
import { semanticIssues } from './semantic-checks.ts'
import { toModel } from './to-model.ts'

export type LoadOptions = {
  /** Environment lookup for ${VAR} expansion. */
  readonly env: (name: string) => string | undefined
}

export function parseConfig(text: string, source: string, options: LoadOptions): Config {
  const expanded = expandEnv(text, options.env)
  if (expanded.issues.length) throw new ConfigError(source, expanded.issues)
  const document = parseDocument(expanded.text, { prettyErrors: true, uniqueKeys: true })
  if (document.errors.length) {
    const issues: ConfigIssue[] = document.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}:${e.linePos[0].col}` : '(yaml)',
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    }))
    throw new ConfigError(source, issues)
  }
  const raw: unknown = document.toJS() ?? {}
  const parsed = configSchema.safeParse(raw, { reportInput: true })
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error))
  const semantic = semanticIssues(parsed.data)
  if (semantic.length) throw new ConfigError(source, semantic)
  return deepFreeze(toModel(parsed.data))
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
