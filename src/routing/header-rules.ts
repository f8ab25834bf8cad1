// Applies a route's or virtual host's header rules (Envoy's *_headers_to_add / *_headers_to_remove)
// to a Headers object. Compiled once per rule list; the request path calls the returned function.

import type { HeaderToAdd } from '../config/model.ts'
import { compileHeaderTemplate, type HeaderTemplate, type VariableLookup } from './header-template.ts'

export type HeaderMutation = (headers: Headers, lookup: VariableLookup) => void

const NO_CHANGE: HeaderMutation = () => {}

export function compileHeaderRules(toAdd: readonly HeaderToAdd[], toRemove: readonly string[]): HeaderMutation {
  if (toAdd.length === 0 && toRemove.length === 0) return NO_CHANGE
  const removals = toRemove.map((name) => name.toLowerCase())
  const additions: { key: string; value: HeaderTemplate; append: boolean }[] = toAdd.map((header) => ({
    key: header.key.toLowerCase(),
    value: compileHeaderTemplate(header.value),
    append: header.append,
  }))
  // Envoy removes first, then adds, so a rule can replace a header it also lists for removal.
  return (headers, lookup) => {
    for (const name of removals) headers.delete(name)
    for (const { key, value, append } of additions) {
      const text = value(lookup)
      // Envoy skips a header whose value renders empty (e.g. `%REQ(x-missing)%`).
      if (text === '') continue
      if (append) headers.append(key, text)
      else headers.set(key, text)
    }
  }
}
