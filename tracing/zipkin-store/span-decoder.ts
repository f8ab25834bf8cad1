// Checks and normalises a POSTed Zipkin v2 JSON batch; one bad span rejects the whole batch,
// so a 400 never leaves half a batch stored.

import { normaliseSpanId, normaliseTraceId } from './span-ids.ts'
import { SPAN_KINDS } from './span-model.ts'
import type { Annotation, Endpoint, Span, SpanKind } from './span-model.ts'

export type DecodeResult = { ok: true; spans: Span[] } | { ok: false; reason: string }

class Invalid extends Error {}

function fail(path: string, problem: string): never {
  throw new Invalid(`${path}: ${problem}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Zipkin's reader skips null fields, so null reads as absent here too. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null
}

function optionalString(value: unknown, path: string): string | undefined {
  if (!present(value)) return undefined
  if (typeof value !== 'string') fail(path, 'expected a string')
  return value === '' ? undefined : value
}

/** Integer microseconds; Zipkin treats 0 (and negatives) as "unknown". */
function optionalMicros(value: unknown, path: string): number | undefined {
  if (!present(value)) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'expected an integer (microseconds)')
  return value > 0 ? value : undefined
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (!present(value)) return undefined
  if (typeof value !== 'boolean') fail(path, 'expected a boolean')
  return value || undefined
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

function decodeEndpoint(value: unknown, path: string): Endpoint | undefined {
  if (!present(value)) return undefined
  if (!isObject(value)) fail(path, 'expected an object')
  const endpoint: Endpoint = {}
  const serviceName = optionalString(value['serviceName'], `${path}.serviceName`)
  // Zipkin lower-cases service names so lookups are case-insensitive.
  if (serviceName !== undefined) endpoint.serviceName = serviceName.toLowerCase()
  const ipv4 = optionalString(value['ipv4'], `${path}.ipv4`)
  // Like Zipkin, an address that does not parse is dropped rather than failing the span.
  if (ipv4 !== undefined && IPV4.test(ipv4)) endpoint.ipv4 = ipv4
  const ipv6 = optionalString(value['ipv6'], `${path}.ipv6`)
  if (ipv6 !== undefined && ipv6.includes(':') && /^[0-9a-fA-F:.]+$/.test(ipv6)) endpoint.ipv6 = ipv6.toLowerCase()
  const port = value['port']
  if (present(port)) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      fail(`${path}.port`, 'expected an integer port 0-65535')
    }
    if (port > 0) endpoint.port = port
  }
  return Object.keys(endpoint).length > 0 ? endpoint : undefined
}

function decodeAnnotations(value: unknown, path: string): Annotation[] | undefined {
  if (!present(value)) return undefined
  if (!Array.isArray(value)) fail(path, 'expected an array')
  const annotations = value.map((item, i): Annotation => {
    const at = `${path}[${i}]`
    if (!isObject(item)) fail(at, 'expected an object')
    const timestamp = item['timestamp']
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) {
      fail(`${at}.timestamp`, 'expected a positive integer (microseconds)')
    }
    const text = item['value']
    if (typeof text !== 'string' || text === '') fail(`${at}.value`, 'expected a non-empty string')
    return { timestamp, value: text }
  })
  return annotations.length > 0 ? annotations : undefined
}

function decodeTags(value: unknown, path: string): Record<string, string> | undefined {
  if (!present(value)) return undefined
  if (!isObject(value)) fail(path, 'expected an object of string values')
  const tags: Record<string, string> = {}
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== 'string') fail(`${path}.${key}`, 'expected a string value')
    tags[key] = tag
  }
  return Object.keys(tags).length > 0 ? tags : undefined
}

function requiredId(value: unknown, path: string, normalise: typeof normaliseSpanId): string {
  if (typeof value !== 'string') fail(path, 'required, expected a hex string')
  const result = normalise(value)
  if (!result.ok) fail(path, result.reason)
  return result.id
}

function decodeSpan(value: unknown, path: string): Span {
  if (!isObject(value)) fail(path, 'expected an object')
  const span: Span = {
    traceId: requiredId(value['traceId'], `${path}.traceId`, normaliseTraceId),
    id: requiredId(value['id'], `${path}.id`, normaliseSpanId),
  }
  if (present(value['parentId'])) {
    const parentId = requiredId(value['parentId'], `${path}.parentId`, normaliseSpanId)
    if (parentId !== span.id) span.parentId = parentId
  }
  const name = optionalString(value['name'], `${path}.name`)
  if (name !== undefined) span.name = name.toLowerCase()
  const kind = value['kind']
  if (present(kind)) {
    if (typeof kind !== 'string' || !(SPAN_KINDS as readonly string[]).includes(kind)) {
      fail(`${path}.kind`, `expected one of ${SPAN_KINDS.join(', ')}`)
    }
    span.kind = kind as SpanKind
  }
  const timestamp = optionalMicros(value['timestamp'], `${path}.timestamp`)
  if (timestamp !== undefined) span.timestamp = timestamp
  const duration = optionalMicros(value['duration'], `${path}.duration`)
  if (duration !== undefined) span.duration = duration
  const debug = optionalBoolean(value['debug'], `${path}.debug`)
  if (debug) span.debug = true
  const shared = optionalBoolean(value['shared'], `${path}.shared`)
  if (shared) span.shared = true
  const localEndpoint = decodeEndpoint(value['localEndpoint'], `${path}.localEndpoint`)
  if (localEndpoint) span.localEndpoint = localEndpoint
  const remoteEndpoint = decodeEndpoint(value['remoteEndpoint'], `${path}.remoteEndpoint`)
  if (remoteEndpoint) span.remoteEndpoint = remoteEndpoint
  const annotations = decodeAnnotations(value['annotations'], `${path}.annotations`)
  if (annotations) span.annotations = annotations
  const tags = decodeTags(value['tags'], `${path}.tags`)
  if (tags) span.tags = tags
  return span
}

export function decodeSpans(body: unknown): DecodeResult {
  if (!Array.isArray(body)) return { ok: false, reason: 'expected a JSON array of spans' }
  try {
    return { ok: true, spans: body.map((item, i) => decodeSpan(item, `spans[${i}]`)) }
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message }
    throw error
  }
}

/** Parses the raw text first so "not JSON" gets its own reason. */
export function decodeSpansJson(text: string): DecodeResult {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'body is not valid JSON' }
  }
  return decodeSpans(body)
}
