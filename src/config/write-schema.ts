// Writes routes/schema.json from the zod schema so editors can complete and check config files.
// Run with `npm run schema`; a test fails when the committed file is stale.

import { z } from 'zod'
import { configSchema } from './schema.ts'

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' })
  return `${JSON.stringify({ ...schema, title: 'edgeway configuration' }, null, 2)}\n`
}

if (import.meta.main) {
  const target = new URL('../../routes/schema.json', import.meta.url)
  const { writeFileSync } = await import('node:fs')
  writeFileSync(target, configJsonSchema())
  console.log(`wrote ${target.pathname}`)
}
