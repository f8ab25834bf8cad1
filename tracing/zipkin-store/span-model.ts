// The Zipkin v2 span as the store keeps and serves it (definitions `Span`, `Endpoint`,
// `Annotation` and `DependencyLink` of zipkin2-api.yaml).

export const SPAN_KINDS = ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'] as const
export type SpanKind = (typeof SPAN_KINDS)[number]

export type Endpoint = {
  serviceName?: string
  ipv4?: string
  ipv6?: string
  port?: number
}

export type Annotation = { timestamp: number; value: string }

/** Ids are lower-case hex; timestamp and duration are integer microseconds. */
export type Span = {
  traceId: string
  id: string
  parentId?: string
  name?: string
  kind?: SpanKind
  timestamp?: number
  duration?: number
  debug?: boolean
  shared?: boolean
  localEndpoint?: Endpoint
  remoteEndpoint?: Endpoint
  annotations?: Annotation[]
  tags?: Record<string, string>
}

export type DependencyLink = {
  parent: string
  child: string
  callCount: number
  errorCount: number
}

export function localServiceName(span: Span): string | undefined {
  return span.localEndpoint?.serviceName
}

export function remoteServiceName(span: Span): string | undefined {
  return span.remoteEndpoint?.serviceName
}

/** Zipkin (and its UI) mark a span failed by the presence of an `error` tag or annotation. */
export function isErrorSpan(span: Span): boolean {
  return span.tags?.['error'] !== undefined || (span.annotations ?? []).some((a) => a.value === 'error')
}
