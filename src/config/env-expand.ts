// ${VAR} and ${VAR:-default} expansion over the raw config text, before YAML parsing, so that
// numbers (`port: ${PORT:-8000}`) keep their type. `$$` is a literal dollar, as in Compose.

import type { ConfigIssue } from './config-error.ts'

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g

export function expandEnv(text: string, env: (name: string) => string | undefined): { text: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const lines = text.split('\n')
  const expanded = lines.map((line, index) =>
    line.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === '$$') return '$'
      const value = env(name!)
      if (value !== undefined && value !== '') return value
      if (fallback !== undefined) return fallback
      issues.push({ path: `line ${index + 1}`, message: `environment variable "${name}" is not set and has no default (use \${${name}:-default})` })
      return ''
    }),
  )
  return { text: expanded.join('\n'), issues }
}
