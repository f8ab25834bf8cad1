// `*_headers_to_add` entries (Envoy's HeaderValueOption) and `*_headers_to_remove` names. Values
// may use Envoy's command operators; those edgeway cannot fill are rejected by name, as Envoy
// rejects operators it does not know.

import { KNOWN_VARIABLES } from '../../routing/header-template.ts'
import { HEADER_VALUE_OPTION } from './fields.ts'
import { at, checkKeys, enumOf, idx, isObj, list, mapping, type Obj, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

const OPERATOR = /%%|%([A-Z][A-Z0-9_]*)(?:\([^)%]*\))?%/g

export function readHeaderOptions(tx: Tx, value: unknown, path: string): Obj[] {
  const { ctx } = tx
  return list(ctx, value, path).map((entry, i) => {
    const optionPath = idx(path, i)
    const option = mapping(ctx, entry, optionPath)
    if (!option) return {}
    checkKeys(ctx, option, optionPath, HEADER_VALUE_OPTION)
    const out: Obj = { header: option.header }
    const append = unwrap(option.append)
    if (append !== undefined) out.append = append
    const action = enumOf(ctx, option.append_action, at(optionPath, 'append_action'), ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'])
    if (action !== undefined) {
      if (append !== undefined) ctx.error(optionPath, 'use append or append_action, not both')
      if (action === 'APPEND_IF_EXISTS_OR_ADD') out.append = true
      else if (action === 'OVERWRITE_IF_EXISTS_OR_ADD') out.append = false
      else ctx.unsupported(at(optionPath, 'append_action'), `${action} is`)
    }
    if (isObj(option.header) && typeof option.header.value === 'string') checkOperators(tx, option.header.value, at(optionPath, 'header.value'))
    return out
  })
}

export function readHeaderNames(tx: Tx, value: unknown, path: string): unknown[] {
  return list(tx.ctx, value, path)
}

function checkOperators(tx: Tx, text: string, path: string): void {
  for (const [raw, name] of text.matchAll(OPERATOR)) {
    if (name !== undefined && !KNOWN_VARIABLES.has(name)) tx.ctx.unsupported(path, `the command operator ${raw} is`)
  }
}
