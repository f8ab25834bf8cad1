// Envoy's span tag names and the helpers that fill them, for src/ to use with only @opentelemetry/api.
// Values follow Envoy's HTTP tracer: strings, `-` for an absent user agent or flag, empty values omitted.

import { SpanStatusCode, type Span } from '@opentelemetry/api'

export const TAG = {
  requestId: 'guid:x-request-id',
  httpUrl: 'http.url',
  httpMethod: 'http.method',
  httpProtocol: 'http.protocol',
  httpStatusCode: 'http.status_code',
  upstreamCluster: 'upstream_cluster',
  upstreamAddress: 'upstream_address',
  requestSize: 'request_size',
  responseSize: 'response_size',
  responseFlags: 'response_flags',
  userAgent: 'user_agent',
  component: 'component',
  nodeId: 'node_id',
  error: 'error',
  retryAttempt: 'retry.attempt',
} as const

export type TagName = (typeof TAG)[keyof typeof TAG]
export type TagValue = string | number | boolean | undefined
export type SpanTags = Partial<Record<TagName, TagValue>>

/** Envoy's default `max_path_tag_length`. */
export const MAX_PATH_TAG_LENGTH = 256

type TaggableSpan = Pick<Span, 'setAttribute' | 'setStatus'>

/** Sets each tag as a string; empty or undefined values are skipped, as Envoy's `setTag` does. */
export function setTags(span: Pick<Span, 'setAttribute'>, tags: SpanTags): void {
  for (const [name, value] of Object.entries(tags)) {
    if (value === undefined) continue
    const text = String(value)
    if (text !== '') span.setAttribute(name, text)
  }
}

/** `{proto}://{host}{path}` with the path cut to `maxPathLength`, as Envoy tags `http.url`. */
export function httpUrlTag(proto: string, host: string, path: string, maxPathLength = MAX_PATH_TAG_LENGTH): string {
  return `${proto}://${host}${path.length > maxPathLength ? path.slice(0, maxPathLength) : path}`
}

/** Envoy marks a span failed when there was no response code at all or it was a 5xx. */
export function isErrorStatus(status: number | undefined): boolean {
  return status === undefined || status === 0 || status >= 500
}

export type RequestTagInput = {
  requestId?: string
  url: string
  method: string
  /** `HTTP/1.1`, `HTTP/2`... */
  protocol: string
  userAgent?: string | null
}

/** Tags known when the request arrives (`node_id` is set by setupTracing on every span). */
export function requestTags(r: RequestTagInput): SpanTags {
  return {
    [TAG.requestId]: r.requestId,
    [TAG.httpUrl]: r.url,
    [TAG.httpMethod]: r.method,
    [TAG.httpProtocol]: r.protocol,
    [TAG.userAgent]: r.userAgent || '-',
    [TAG.component]: 'proxy',
  }
}

export type ResponseTagInput = {
  /** undefined or 0 when no response was received. */
  status?: number
  /** Envoy short flags (`UH`, `UF`, `UT`, `NR`...); empty means none. */
  responseFlags?: string
  requestSize?: number
  responseSize?: number
  upstreamCluster?: string
  upstreamAddress?: string
  retryAttempt?: number
}

/** Tags known when the response is done. */
export function responseTags(r: ResponseTagInput): SpanTags {
  return {
    [TAG.httpStatusCode]: String(r.status ?? 0),
    [TAG.responseFlags]: r.responseFlags || '-',
    [TAG.requestSize]: r.requestSize,
    [TAG.responseSize]: r.responseSize,
    [TAG.upstreamCluster]: r.upstreamCluster,
    [TAG.upstreamAddress]: r.upstreamAddress,
    [TAG.retryAttempt]: r.retryAttempt,
    [TAG.error]: isErrorStatus(r.status) ? 'true' : undefined,
  }
}

/**
 * Tags the outcome and, on failure, sets the span's ERROR status too, so OTel-aware code sees the
 * same verdict the Zipkin `error` tag shows.
 */
export function tagResponse(span: TaggableSpan, r: ResponseTagInput): void {
  setTags(span, responseTags(r))
  if (isErrorStatus(r.status)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.status ? `status ${r.status}` : 'no response' })
  }
}
