// The one edge where config text becomes a trusted, frozen model: env expansion, YAML, schema,
// cross-references. Every problem is collected and thrown together as one ConfigError.

import { LineCounter, parseDocument, visit, type Document } from 'yaml'
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
  const parsed = configSchema.safeParse(raw.value, { reportInput: true })
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error))
  const semantic = semanticIssues(parsed.data)
  if (semantic.length) throw new ConfigError(source, semantic)
  return deepFreeze(toModel(parsed.data))
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
