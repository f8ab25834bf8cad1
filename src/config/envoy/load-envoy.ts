// Envoy bootstrap → validated compact config: translate, then let the compact schema and the
// cross-checks judge the result, reporting every problem at the user's own Envoy path.

import type { ConfigIssue } from '../config-error.ts'
import { toIssues } from '../issues.ts'
import { configSchema, type ConfigFile } from '../schema.ts'
import { semanticIssues } from '../semantic-checks.ts'
import type { PathMap } from './path-map.ts'
import type { Obj } from './reader.ts'
import { translateEnvoy } from './translate.ts'
import type { DynamicFile, ResourceReader } from './dynamic-resources.ts'

export type EnvoyLoad = {
  /** Set only when there are no errors. */
  readonly file: ConfigFile | undefined
  /** The translated compact document before defaults (what `edgeway convert` prints). */
  readonly compact: Obj
  readonly errors: readonly ConfigIssue[]
  readonly warnings: readonly ConfigIssue[]
  /** Where each compact path came from, for problems found later (certificates read at load). */
  readonly paths: PathMap
  /** LDS / CDS files to watch. */
  readonly files: readonly DynamicFile[]
}

export function loadEnvoy(raw: Obj, readResource?: ResourceReader): EnvoyLoad {
  const translation = translateEnvoy(raw, readResource)
  const errors = [...translation.errors]
  // A problem the walk already named is not reported again from the translated side.
  const known = (path: string) => translation.errors.some((e) => path === e.path || path.startsWith(`${e.path}.`) || path.startsWith(`${e.path}[`))
  const add = (issues: readonly ConfigIssue[]) => {
    for (const issue of issues) {
      const path = translation.paths.toEnvoy(issue.path)
      if (!known(path) && !errors.some((e) => e.path === path && e.message === issue.message)) errors.push({ path, message: issue.message })
    }
  }
  const parsed = configSchema.safeParse(translation.compact, { reportInput: true })
  if (!parsed.success) add(toIssues(parsed.error))
  else add(semanticIssues(parsed.data))
  return { file: errors.length || !parsed.success ? undefined : parsed.data, compact: translation.compact, errors, warnings: translation.warnings, paths: translation.paths, files: translation.files }
}
