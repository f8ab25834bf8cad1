// Turns zod issues into `path: message` lines a person can act on.

import type { z } from 'zod'
import type { ConfigIssue } from './config-error.ts'

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out || '(root)'
}

export function toIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatPath([...issue.path, key]), message: 'unknown key (typo?)' })
      continue
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      issues.push({ path: formatPath(issue.path), message: `is required (expected ${issue.expected})` })
      continue
    }
    if (issue.code === 'invalid_type') {
      const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'a list' : typeof issue.input === 'object' ? 'a mapping' : JSON.stringify(issue.input)
      const message = issue.message.startsWith('Invalid input') ? `expected ${issue.expected}, got ${got}` : issue.message
      issues.push({ path: formatPath(issue.path), message })
      continue
    }
    issues.push({ path: formatPath(issue.path), message: issue.message })
  }
  return issues
}
