// Writes docs/envoy-fields.md from fields.ts: per Envoy message, the fields edgeway reads, rejects
// and ignores with a warning. Run with `npm run envoy-fields`; a test fails when the file is stale.

import * as FIELDS from './fields.ts'
import type { MessageSpec } from './fields.ts'

const code = (keys: readonly string[]) => (keys.length ? keys.map((k) => `\`${k}\``).join(', ') : '—')

export function fieldDocs(): string {
  const specs = Object.values(FIELDS).filter((v): v is MessageSpec => typeof v === 'object' && v !== null && 'supported' in v)
  const rows = specs.map((s) => `| ${s.name} | ${code(s.supported)} | ${code(s.unsupported ?? [])} | ${code(Object.keys(s.noEffect ?? {}))} |`)
  return `# Envoy bootstrap fields

Generated from \`src/config/envoy/fields.ts\` by \`npm run envoy-fields\`. For each Envoy message
edgeway reads from a bootstrap file: the fields it **reads** (and honours), the fields it
**rejects** with "not supported by edgeway" (they would change behaviour it does not implement),
and the fields it **ignores** with one warning line each (no effect here). Any other field is an
error ("unknown field ..., or not supported by edgeway"). Values inside the read fields are
checked further: see README, "Envoy bootstrap files".

| message | reads | rejects | ignores (warning) |
| --- | --- | --- | --- |
${rows.join('\n')}
`
}

if (import.meta.main) {
  const target = new URL('../../../docs/envoy-fields.md', import.meta.url)
  const { writeFileSync } = await import('node:fs')
  writeFileSync(target, fieldDocs())
  console.log(`wrote ${target.pathname}`)
}
