// What a config needs loaded before its generation is built: the RE2 engine (re2js) for regex
// routes and header matchers, and xxHash64's WebAssembly for RING_HASH / MAGLEV clusters and route
// hash policies. Both load on demand: on Bun every loaded module stays resident, and a config
// without them (the common case) should not pay for their code.

import type { Config } from '../config/model.ts'
import { loadSafeRegex } from '../regex/safe-regex.ts'
import { loadXxHash64 } from '../upstream/lb/xxhash64.ts'

export type ConfigEngines = { readonly regex: boolean; readonly xxhash: boolean }

/** Walks the whole model, so a regex or hash policy anywhere (routes, virtual hosts, fault filters) counts. */
export function enginesFor(config: Config): ConfigEngines {
  const found = { regex: false, xxhash: false }
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk)
    if (!value || typeof value !== 'object') return
    const node = value as Record<string, unknown>
    if (typeof node.safeRegex === 'string' || (node.kind === 'regex' && typeof node.value === 'string')) found.regex = true
    if ((Array.isArray(node.hashPolicy) && node.hashPolicy.length > 0) || node.lbPolicy === 'ring_hash' || node.lbPolicy === 'maglev') found.xxhash = true
    for (const child of Object.values(node)) walk(child)
  }
  walk(config)
  return found
}

export async function loadEnginesFor(config: Config): Promise<void> {
  const needed = enginesFor(config)
  await Promise.all([needed.regex && loadSafeRegex(), needed.xxhash && loadXxHash64()])
}
