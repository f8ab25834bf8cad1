// Header values with Envoy's `%VARIABLE%` / `%REQ(name)%` substitutions, parsed once into a
// function so the request path only concatenates strings.

/** Resolves one variable; `arg` is what stood in the parentheses (`%REQ(arg)%`). */
export type VariableLookup = (name: string, arg?: string) => string | undefined

export type HeaderTemplate = (lookup: VariableLookup) => string

/** Variables Envoy always resolves: when the lookup has no value they become empty, not literal. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  'REQ',
  'DOWNSTREAM_REMOTE_ADDRESS',
  'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
  'UPSTREAM_REMOTE_ADDRESS',
  'HOSTNAME',
  'START_TIME',
])

const TOKEN = /%%|%([A-Z][A-Z0-9_]*)(?:\(([^)%]*)\))?%/g

type Part = string | { readonly raw: string; readonly name: string; readonly arg: string | undefined }

export function compileHeaderTemplate(value: string): HeaderTemplate {
  const parts: Part[] = []
  let last = 0
  for (const token of value.matchAll(TOKEN)) {
    const index = token.index
    if (index > last) parts.push(value.slice(last, index))
    const [raw, name, arg] = token
    // `%%` is Envoy's escape for a literal percent sign.
    parts.push(name === undefined ? '%' : { raw, name, arg })
    last = index + raw.length
  }
  if (last < value.length) parts.push(value.slice(last))

  if (parts.every((part) => typeof part === 'string')) {
    const constant = parts.join('')
    return () => constant
  }
  return (lookup) => {
    let out = ''
    for (const part of parts) out += typeof part === 'string' ? part : resolve(part, lookup)
    return out
  }
}

function resolve(part: Exclude<Part, string>, lookup: VariableLookup): string {
  const value = part.arg === undefined ? lookup(part.name) : lookup(part.name, part.arg)
  if (value !== undefined) return value
  // Unknown variables stay as written so a typo is visible upstream rather than silently empty.
  return KNOWN_VARIABLES.has(part.name) ? '' : part.raw
}
