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
  /** Envoy's observability name of the cluster; edgeway's clusters have one name, so both match. */
  upstreamClusterName: 'upstream_cluster.name',
  upstreamAddress: 'upstream_address',
  requestSize: 'request_size',
  responseSize: 'response_size',
  responseFlags: 'response_flags',
  userAgent: 'user_agent',
  component: 'component',
  nodeId: 'node_id',
  error: 'error',
  /** Attempt spans: retries before this attempt (0 on the first), as Envoy's upstream spans. */
  retryCount: 'retry.count',
  /** Downstream span: the client's ip; attempt span: the endpoint's ip:port (Envoy's upstream spans). */
  peerAddress: 'peer.address',
} as const

export type TagName = (typeof TAG)[keyof typeof TAG]
export type TagValue = string | number | boolean | undefined
export type SpanTags = Partial<Record<TagName, TagValue>>

/** Envoy's default `max_path_tag_length`. */
export const MAX_PATH_TAG_LENGTH = 256

type TaggableSpan = Pick<Span, 'setAttribute' | 'setStatus'>

/** Sets each tag as a string; empty or undefined values are skipped, as Envoy's `setTag` does. */
export function setTags(span: Pick<Span, 'setAttribute'>, tags: SpanTags): void {
  for (const name in tags) ontoSpan(span, name as TagName, tags[name as TagName])
}

/**
 * `{proto}://{host}{path}` with the path cut to `maxPathLength`, as Envoy tags `http.url`.
 * `sequential` (Runtime.sequentialStrings): joined, as V8 makes a concatenation of 13 characters or
 * more a ConsString, which its JSON.stringify fast path refuses; a template costs less on Bun.
 */
export function httpUrlTag(proto: string, host: string, path: string, maxPathLength = MAX_PATH_TAG_LENGTH, sequential = false): string {
  const cut = path.length > maxPathLength ? path.slice(0, maxPathLength) : path
  return sequential ? [proto, '://', host, cut].join('') : `${proto}://${host}${cut}`
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
  const tags: SpanTags = {}
  writeRequestTags(r, tags, intoObject)
  return tags
}

/** requestTags written straight onto the span: no intermediate object on the request path. */
export function tagRequest(span: Pick<Span, 'setAttribute'>, r: RequestTagInput): void {
  writeRequestTags(r, span, ontoSpan)
}

type TagWriter<T> = (target: T, name: TagName, value: TagValue) => void

const intoObject: TagWriter<SpanTags> = (tags, name, value) => void (tags[name] = value)

/** setTags' rule for one tag: a string, skipped when undefined or empty. */
const ontoSpan: TagWriter<Pick<Span, 'setAttribute'>> = (span, name, value) => {
  if (value === undefined) return
  const text = typeof value === 'string' ? value : String(value)
  if (text !== '') span.setAttribute(name, text)
}

function writeRequestTags<T>(r: RequestTagInput, target: T, write: TagWriter<T>): void {
  write(target, TAG.requestId, r.requestId)
  write(target, TAG.httpUrl, r.url)
  write(target, TAG.httpMethod, r.method)
  write(target, TAG.httpProtocol, r.protocol)
  write(target, TAG.userAgent, r.userAgent || '-')
  write(target, TAG.component, 'proxy')
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
  /** Retries before this attempt (attempt spans only). */
  retryCount?: number
}

/** Tags known when the response is done. */
export function responseTags(r: ResponseTagInput): SpanTags {
  const tags: SpanTags = {}
  writeResponseTags(r, tags, intoObject)
  return tags
}

function writeResponseTags<T>(r: ResponseTagInput, target: T, write: TagWriter<T>): void {
  write(target, TAG.httpStatusCode, String(r.status ?? 0))
  write(target, TAG.responseFlags, r.responseFlags || '-')
  write(target, TAG.requestSize, r.requestSize)
  write(target, TAG.responseSize, r.responseSize)
  write(target, TAG.upstreamCluster, r.upstreamCluster)
  write(target, TAG.upstreamClusterName, r.upstreamCluster)
  write(target, TAG.upstreamAddress, r.upstreamAddress)
  write(target, TAG.retryCount, r.retryCount)
  write(target, TAG.error, isErrorStatus(r.status) ? 'true' : undefined)
}

/**
 * Tags the outcome and, on failure, sets the span's ERROR status too, so OTel-aware code sees the
 * same verdict the Zipkin `error` tag shows.
 */
export function tagResponse(span: TaggableSpan, r: ResponseTagInput): void {
  writeResponseTags(r, span, ontoSpan)
  if (isErrorStatus(r.status)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.status ? `status ${r.status}` : 'no response' })
  }
}
