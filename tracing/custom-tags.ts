// Envoy's `custom_tags` of a listener, compiled once: literal and environment values are fixed at
// start (Envoy reads the environment once too), request-header values are read per request.

import type { CustomTag } from '../src/config/model.ts'

export type CompiledCustomTags = {
  /** Tag name/value pairs for one request, flat [name, value, name, value...]; empty values dropped. */
  forRequest(headers: Headers): string[]
}

/** Shared, as `fixed` below is: callers only read the pairs. */
const NO_PAIRS: string[] = []
const NONE: CompiledCustomTags = { forRequest: () => NO_PAIRS }

export function compileCustomTags(tags: readonly CustomTag[], env: (name: string) => string | undefined): CompiledCustomTags {
  if (tags.length === 0) return NONE
  const fixed: string[] = []
  const fromHeaders: { tag: string; header: string; fallback: string | undefined }[] = []
  for (const t of tags) {
    if (t.kind === 'literal') push(fixed, t.tag, t.value)
    else if (t.kind === 'environment') push(fixed, t.tag, env(t.name) || t.defaultValue)
    else fromHeaders.push({ tag: t.tag, header: t.name, fallback: t.defaultValue })
  }
  if (fromHeaders.length === 0) return { forRequest: () => fixed }
  return {
    forRequest(headers) {
      const out = fixed.slice()
      for (const h of fromHeaders) push(out, h.tag, headers.get(h.header) ?? h.fallback)
      return out
    },
  }
}

/** Envoy's setTag skips empty values, so an unset variable without a default adds no tag. */
function push(out: string[], tag: string, value: string | undefined): void {
  if (value !== undefined && value !== '') out.push(tag, value)
}
