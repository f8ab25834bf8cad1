// An access-log format (Envoy's SubstitutionFormatString: a text format or a JSON dictionary)
// compiled once at load into a plan of literal and getter parts, so a request's line is only
// concatenation: nothing is parsed per request.

import type { RequestInfo } from '../proxy/request-info.ts'
import type { LineBytes } from './line-bytes.ts'
import { compileOperator, type Compiled, type OperatorContext, type Value } from './command-operators.ts'

export type FormatSpec = {
  readonly text?: string
  readonly json?: Readonly<Record<string, unknown>>
  /** Envoy's omit_empty_values: unset operators print '' in text, and drop their key in JSON. */
  readonly omitEmptyValues?: boolean
}

export type FormatPlan = {
  readonly format: (info: RequestInfo) => string
  /** The same line written straight into the buffer's bytes, where a plan can (the default text format). */
  readonly write?: (out: LineBytes, info: RequestInfo) => void
  /** The plan reads the downstream peer's address, which must be taken when the request arrives. */
  readonly needsPeer: boolean
}

/** A problem at a path inside the format (`text_format`, `json_format.status`). */
export type FormatProblem = { readonly path: string; readonly message: string }

type Part = string | { readonly op: Compiled; readonly max: number | undefined }

// Envoy's own pattern: %NAME%, %NAME(arg)%, either with :N (truncate to N characters).
const OPERATOR = /%([A-Z0-9_]+)(?:\(([^)]*)\))?(?::(\d+))?%/y

function parse(text: string, path: string, ctx: OperatorContext, problems: FormatProblem[]): Part[] {
  const parts: Part[] = []
  let literal = ''
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '%') {
      literal += text[i++]
      continue
    }
    OPERATOR.lastIndex = i
    const match = OPERATOR.exec(text)
    if (!match) {
      problems.push({ path, message: `no command operator at position ${i} ("${text.slice(i, i + 20)}"): write operators as %NAME%, %NAME(arg)% or %NAME(arg):length%` })
      return parts
    }
    const op = compileOperator(match[1]!, match[2], ctx)
    if (typeof op === 'string') problems.push({ path, message: op })
    else {
      if (literal) parts.push(literal)
      literal = ''
      if (op.literal !== undefined || op.getter === undefined) literal += render(op.literal, match[3] === undefined ? undefined : Number(match[3]), '-')
      else parts.push({ op, max: match[3] === undefined ? undefined : Number(match[3]) })
    }
    i += match[0].length
  }
  if (literal) parts.push(literal)
  return parts
}

function render(value: Value, max: number | undefined, unset: string): string {
  if (value === undefined || value === '') return unset
  const text = typeof value === 'number' ? String(value) : value
  return max !== undefined && text.length > max ? text.slice(0, max) : text
}

function textOf(parts: readonly Part[], unset: string): (info: RequestInfo) => string {
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const only = parts[0]
    return () => only
  }
  return (info) => {
    let out = ''
    for (const part of parts) out += typeof part === 'string' ? part : render(part.op.getter!(info), part.max, unset)
    return out
  }
}

const usesPeer = (parts: readonly Part[]) => parts.some((part) => typeof part !== 'string' && part.op.peer === true)

type JsonValue = (info: RequestInfo) => unknown

/** A dictionary value: one operator alone keeps its type (numbers stay numbers); anything else is text. */
function jsonValue(value: unknown, path: string, ctx: OperatorContext, problems: FormatProblem[], omit: boolean, peer: { used: boolean }): JsonValue | undefined {
  if (typeof value === 'string') {
    const parts = parse(value, path, ctx, problems)
    if (usesPeer(parts)) peer.used = true
    const only = parts.length === 1 ? parts[0] : undefined
    if (only !== undefined && typeof only !== 'string') {
      const { op, max } = only
      return (info) => {
        const v = op.getter!(info)
        if (v === undefined || v === '') return null
        return typeof v === 'number' || max === undefined ? v : render(v, max, '-')
      }
    }
    const text = textOf(parts, omit ? '' : '-')
    return text
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return () => value
  if (typeof value === 'object' && !Array.isArray(value)) {
    const object = jsonObject(value as Record<string, unknown>, path, ctx, problems, omit, peer)
    return object
  }
  problems.push({ path, message: 'expected a string with command operators, a number, a boolean or a mapping (lists are not supported by edgeway)' })
  return undefined
}

function jsonObject(dict: Readonly<Record<string, unknown>>, path: string, ctx: OperatorContext, problems: FormatProblem[], omit: boolean, peer: { used: boolean }): JsonValue {
  const entries: [string, JsonValue][] = []
  // Envoy writes the keys sorted (json_format_options.sort_properties is always on): so does this.
  for (const [key, value] of Object.entries(dict).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const compiled = jsonValue(value, `${path}.${key}`, ctx, problems, omit, peer)
    if (compiled) entries.push([key, compiled])
  }
  return (info) => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of entries) {
      const v = value(info)
      if (v === null && omit) continue
      out[key] = v
    }
    return out
  }
}

/** Compiles the format, or lists every problem in it. */
export function compileFormat(spec: FormatSpec, ctx: OperatorContext): FormatPlan | { readonly problems: readonly FormatProblem[] } {
  const problems: FormatProblem[] = []
  const omit = spec.omitEmptyValues === true
  if (spec.json !== undefined) {
    const peer = { used: false }
    const object = jsonObject(spec.json, 'json_format', ctx, problems, omit, peer)
    if (problems.length) return { problems }
    return { format: (info) => JSON.stringify(object(info)), needsPeer: peer.used }
  }
  // The writer ends every line: a format's own final newline (Envoy needs one) is not doubled.
  const text = (spec.text ?? '').replace(/\r?\n$/, '')
  const parts = parse(text, 'text_format', ctx, problems)
  if (problems.length) return { problems }
  return { format: textOf(parts, omit ? '' : '-'), needsPeer: usesPeer(parts) }
}

/** Checks a format's operators without a listener (config load): only the problems. */
export function formatProblems(spec: FormatSpec): readonly FormatProblem[] {
  const result = compileFormat(spec, { hostname: '', env: () => undefined, tls: false, localAddress: '0.0.0.0:0', remoteAddress: (_info, ip) => ip })
  return 'problems' in result ? result.problems : []
}
