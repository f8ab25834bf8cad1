// The walker's tools: a context that collects errors and warnings with the user's own paths,
// and checks that sort every key of an Envoy message into supported, unsupported or no-effect.

import type { ConfigIssue } from '../config-error.ts'
import type { MessageSpec } from './fields.ts'

export type Obj = Record<string, unknown>

export class Ctx {
  readonly errors: ConfigIssue[] = []
  readonly warnings: ConfigIssue[] = []

  error(path: string, message: string): void {
    this.errors.push({ path: path || '(root)', message })
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path: path || '(root)', message })
  }

  unsupported(path: string, what = ''): void {
    this.error(path, `${what ? `${what} ` : ''}not supported by edgeway`)
  }
}

export const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)
export const idx = (path: string, index: number): string => `${path}[${index}]`

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A mapping, or undefined after saying what was there instead. */
export function mapping(ctx: Ctx, value: unknown, path: string): Obj | undefined {
  if (isObj(value)) return value
  ctx.error(path, `expected a mapping, got ${describe(value)}`)
  return undefined
}

/** A list (Envoy's repeated field); a lone mapping is read as a list of one, with a warning. */
export function list(ctx: Ctx, value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value
  if (isObj(value)) {
    ctx.warn(path, 'a mapping where Envoy expects a list: read as a list of one')
    return [value]
  }
  ctx.error(path, `expected a list, got ${describe(value)}`)
  return []
}

/**
 * Sorts the keys of one message: unsupported ones are errors, no-effect ones one warning each,
 * anything else unknown. Returns the message itself for the supported keys to be read.
 */
export function checkKeys(ctx: Ctx, obj: Obj, path: string, spec: MessageSpec): Obj {
  for (const key of Object.keys(obj)) {
    if (spec.supported.includes(key)) continue
    const why = spec.noEffect?.[key]
    if (why !== undefined) {
      ctx.warn(at(path, key), `has no effect in edgeway${why ? ` (${why})` : ''}: ignored`)
      continue
    }
    if (spec.unsupported?.includes(key)) ctx.unsupported(at(path, key))
    else ctx.error(at(path, key), `unknown field of ${spec.name} (typo?), or not supported by edgeway`)
  }
  return obj
}

/** Envoy's wrapper types (BoolValue, UInt32Value, Percent) may be written as `{ value: x }`. */
export function unwrap(value: unknown): unknown {
  return isObj(value) && Object.keys(value).length === 1 && 'value' in value ? value.value : value
}

export function str(ctx: Ctx, value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value
  if (value !== undefined) ctx.error(path, `expected a string, got ${describe(value)}`)
  return undefined
}

/** An enum value, compared without case (the seeds write `strict_dns`, Envoy documents `STRICT_DNS`). */
export function enumOf<T extends string>(ctx: Ctx, value: unknown, path: string, values: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  const text = typeof value === 'string' ? value.toUpperCase() : undefined
  const found = values.find((v) => v.toUpperCase() === text)
  if (found === undefined) ctx.error(path, `expected one of ${values.join(' | ')}, got ${describe(value)}`)
  return found
}

/** Durations as Envoy writes them: "0.25s" (proto JSON) or `{ seconds, nanos }`; passed on as text. */
export function duration(value: unknown): unknown {
  if (isObj(value) && ('seconds' in value || 'nanos' in value)) {
    const seconds = Number(value.seconds ?? 0) + Number(value.nanos ?? 0) / 1e9
    return Number.isFinite(seconds) ? `${seconds}s` : value
  }
  return value
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null (an empty value: check the indentation)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
