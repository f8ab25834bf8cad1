// Loads the official Zipkin v2 API (vendored unchanged in test/fixtures/zipkin/, see its NOTICE)
// and validates values against its Swagger 2.0 schemas: the subset the spec uses (type, properties, required, enum,
// format, items, $ref, additionalProperties, pattern, min/maxLength, minimum, uniqueItems).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

export type Schema = {
  $ref?: string
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: Schema | boolean
  items?: Schema
  enum?: unknown[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  uniqueItems?: boolean
}

type Spec = {
  definitions: Record<string, Schema>
  paths: Record<string, Record<string, { responses: Record<string, { schema?: Schema }> }>>
}

export const ZIPKIN_SPEC_PATH = join(import.meta.dir, '..', 'fixtures', 'zipkin', 'zipkin2-api.yaml')

let cached: Spec | undefined

export function loadZipkinSpec(): Spec {
  cached ??= parse(readFileSync(ZIPKIN_SPEC_PATH, 'utf8')) as Spec
  return cached
}

/** The schema of a documented answer, e.g. responseSchema('/traces') or ('/trace/{traceId}'). */
export function responseSchema(path: string, method = 'get', status = '200'): Schema {
  const schema = loadZipkinSpec().paths[path]?.[method]?.responses[status]?.schema
  if (!schema) throw new Error(`zipkin spec has no ${method.toUpperCase()} ${path} ${status} schema`)
  return schema
}

export function definition(name: string): Schema {
  const schema = loadZipkinSpec().definitions[name]
  if (!schema) throw new Error(`zipkin spec has no definition ${name}`)
  return schema
}

/** Statuses the spec documents for an operation, e.g. ['200', '400']. */
export function documentedStatuses(path: string, method = 'get'): string[] {
  return Object.keys(loadZipkinSpec().paths[path]?.[method]?.responses ?? {})
}

export type ValidateOptions = {
  /**
   * Also reject properties a schema does not declare. Swagger allows them, but an answer of
   * ours carrying one is almost certainly a typo, so the tests turn this on.
   */
  noUnknownProperties?: boolean
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const IPV6 = /^[0-9a-f:.]+$/i

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema
  const prefix = '#/definitions/'
  if (!schema.$ref.startsWith(prefix)) throw new Error(`unsupported $ref ${schema.$ref}`)
  // Swagger 2.0 ignores siblings of $ref (the spec puts `description` there).
  return resolve(definition(schema.$ref.slice(prefix.length)))
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function check(value: unknown, raw: Schema, path: string, errors: string[], options: ValidateOptions): void {
  const schema = resolve(raw)
  const actual = typeOf(value)
  if (schema.type) {
    const fits = actual === schema.type || (schema.type === 'number' && actual === 'integer')
    if (!fits) {
      errors.push(`${path}: expected ${schema.type}, got ${actual}`)
      return
    }
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`)
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`)
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`)
    // The spec's patterns are written unanchored but mean the whole value.
    if (schema.pattern !== undefined && !new RegExp(`^(?:${schema.pattern})$`).test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
    }
    if (schema.format === 'ipv4' && !IPV4.test(value)) errors.push(`${path}: not an ipv4 address`)
    if (schema.format === 'ipv6' && !(value.includes(':') && IPV6.test(value))) errors.push(`${path}: not an ipv6 address`)
  }
  if (typeof value === 'number') {
    if (schema.format === 'int64' && !Number.isSafeInteger(value)) errors.push(`${path}: not a safe int64`)
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below minimum ${schema.minimum}`)
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => check(item, schema.items!, `${path}[${i}]`, errors, options))
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      errors.push(`${path}: items are not unique`)
    }
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>
    for (const name of schema.required ?? []) {
      if (!(name in object)) errors.push(`${path}: missing required ${name}`)
    }
    for (const [name, item] of Object.entries(object)) {
      const property = schema.properties?.[name]
      if (property) check(item, property, `${path}.${name}`, errors, options)
      else if (typeof schema.additionalProperties === 'object') check(item, schema.additionalProperties, `${path}.${name}`, errors, options)
      else if (schema.additionalProperties === false || (options.noUnknownProperties && schema.properties)) {
        errors.push(`${path}: unknown property ${name}`)
      }
    }
  }
}

/** Every problem found, as "$.path: reason" lines; empty when the value fits. */
export function validateAgainst(schema: Schema, value: unknown, options: ValidateOptions = { noUnknownProperties: true }): string[] {
  const errors: string[] = []
  check(value, schema, '$', errors, options)
  return errors
}
