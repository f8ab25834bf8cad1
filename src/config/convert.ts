// `edgeway convert`: an Envoy bootstrap printed as the compact config it was read as, or a
// compact config printed as an Envoy v3 bootstrap, for users moving either way.

import { stringify } from 'yaml'
import { modelToEnvoy } from './envoy/from-model.ts'
import type { LoadedConfig } from './load-config.ts'

export function convertConfig(loaded: LoadedConfig, to: 'compact' | 'envoy' | undefined): string {
  const target = to ?? (loaded.format === 'envoy' ? 'compact' : 'envoy')
  if (target === 'compact') {
    const inlined = loaded.dynamicFiles.map((f) => `#   ${f.kind === 'lds' ? 'listeners' : 'clusters'} of ${f.path}\n`).join('')
    const header =
      loaded.format === 'envoy'
        ? `# edgeway compact config, converted from an Envoy bootstrap (environment variables expanded)\n${inlined && `# inlined from dynamic_resources (the compact format has no file discovery: they are no longer watched):\n${inlined}`}`
        : ''
    return header + stringify(loaded.compact, { lineWidth: 0 })
  }
  const { bootstrap, dropped } = modelToEnvoy(loaded.config)
  const notes = dropped.map((d) => `#   ${d}\n`).join('')
  return `# Envoy v3 bootstrap, converted from an edgeway config${dropped.length ? '\n# edgeway settings Envoy has no field for (not carried over):\n' + notes : '\n'}${stringify(bootstrap, { lineWidth: 0 })}`
}
