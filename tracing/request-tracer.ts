// The proxy's tracing hooks implemented on the tracing layer: B3 in, Envoy's sampling decision,
// one span per request (SERVER on ingress listeners, CLIENT on egress ones) and one CLIENT child
// per upstream attempt named as Envoy names upstream spans, B3 out with the attempt's ids.
// With shared_span_context an ingress span reuses the caller's span id (Zipkin's shared span).

import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ListenerStats } from '../src/stats/stats-store.ts'
import type { ListenerConfig, RouteConfig } from '../src/config/model.ts'
import { failureFlag } from '../src/errors.ts'
import type { AttemptResult, AttemptStart } from '../src/proxy/attempt.ts'
import type { RequestTrace, RequestTracer } from '../src/proxy/request-tracer.ts'
import type { RequestInfo } from '../src/proxy/request-info.ts'
import type { ConnInfo } from '../src/runtime.ts'
import type { Endpoint } from '../src/upstream/endpoint.ts'
import { extractB3 } from './b3-extract.ts'
import { injectB3Ids, type B3Format } from './b3-inject.ts'
import { compileCustomTags, type CompiledCustomTags } from './custom-tags.ts'
import { plainIp, remoteEndpoint } from './remote-endpoint.ts'
import { decide, FORCED, SAMPLED, type SamplingRuntime } from './sampling-decision.ts'
import type { SpanParent, Tracing } from './setup-tracing.ts'
import type { RemoteEndpoint, SpanRecord, SpanTagMap } from './span-record.ts'
import { spanTimeOf } from './hr-clock.ts'
import { httpUrlTag, isErrorStatus, MAX_PATH_TAG_LENGTH, TAG } from './span-tags.ts'

export type RequestTracerDeps = {
  readonly tracing: Tracing
  readonly listenerStats: (listener: ListenerConfig) => ListenerStats
  readonly random?: () => number
  /** Envoy's runtime keys tracing.random_sampling (0-10000), tracing.client_enabled and tracing.global_enabled (%). */
  readonly runtime?: SamplingRuntime
  /** Envoy's ZipkinConfig shared_span_context; default false (edgeway's separate spans). */
  readonly sharedSpanContext?: boolean
  /** What B3 goes upstream; default the multi headers. */
  readonly b3Headers?: B3Format
  /** Read once per listener for `environment` custom tags. */
  readonly env?: (name: string) => string | undefined
  /** Runtime.sequentialStrings: the url tag is then joined into a sequential string (span-tags.ts). */
  readonly sequentialStrings?: boolean
}

type ListenerState = { stats: ListenerStats; customTags: CompiledCustomTags }

export function createRequestTracer(deps: RequestTracerDeps): RequestTracer {
  const random = deps.random ?? Math.random
  const env = deps.env ?? (() => undefined)
  const shared = deps.sharedSpanContext === true
  const format = deps.b3Headers ?? 'multi'
  const sequential = deps.sequentialStrings === true
  const names = new SpanNames()
  const stateOf = new Map<ListenerConfig, ListenerState>()
  // One remote endpoint object per upstream endpoint: attempt spans share it (it is only read).
  const remotes = new WeakMap<Endpoint, RemoteEndpoint>()
  const remoteOf = (endpoint: Endpoint, cluster: string | undefined): RemoteEndpoint => {
    let remote = remotes.get(endpoint)
    if (!remote) remotes.set(endpoint, (remote = remoteEndpoint(endpoint.address, endpoint.port, cluster)))
    return remote
  }
  return {
    start(request, info, listener, peer, facts) {
      const headers = request.headers
      // Nothing to look up when none of the fields the tracer reads arrived (the arrival walk saw them all).
      const fields = info.tracingFields !== false
      const incoming = fields ? extractB3(headers) : undefined
      let state = stateOf.get(listener)
      if (!state) {
        state = { stats: deps.listenerStats(listener), customTags: compileCustomTags(listener.tracing.customTags, env) }
        stateOf.set(listener, state)
      }
      const decision = decide(incoming, fields ? headers : undefined, listener.tracing, deps.runtime, state.stats, random, facts?.internal ?? true)
      const sampled = (decision & SAMPLED) !== 0
      const ingress = listener.direction === 'ingress'
      // Shared: the SERVER half of the caller's span keeps its id, its parent is the caller's parent.
      const sharing = shared && ingress && incoming?.traceId !== undefined && incoming.spanId !== undefined
      let parent: SpanParent | undefined
      if (incoming?.traceId && incoming.spanId) {
        parent = { traceId: incoming.traceId, spanId: sharing ? (incoming.parentSpanId ?? '') : incoming.spanId, sampled, debug: incoming.debug }
      }
      const query = info.path.indexOf('?')
      const span = deps.tracing.startRequestSpan(`${info.method} ${query < 0 ? info.path : info.path.slice(0, query)}`, ingress ? SpanKind.SERVER : SpanKind.CLIENT, parent, sampled, incoming?.debug ?? false, sharing ? incoming!.spanId : undefined, spanTimeOf(info.startedAt))
      if (span.sampled) {
        tagRequestStart(span.attributes as SpanTagMap, info, peer, sequential)
        // A SERVER span's remote is its client; an egress CLIENT span's remote is upstream, set by its attempts.
        if (peer && ingress) span.remote = remoteEndpoint(peer.remoteAddress, peer.remotePort)
      }
      const custom = span.sampled ? state.customTags.forRequest(headers) : NO_TAGS
      for (let i = 0; i < custom.length; i += 2) span.tag(custom[i]!, custom[i + 1])
      return new Trace(deps.tracing, span, (decision & FORCED) !== 0, info.requestId, custom, format, remoteOf, names, fields)
    },
  }
}

const NO_TAGS: string[] = []

/** Span names that depend only on config (route, cluster), built once rather than per request. */
class SpanNames {
  readonly #routes = new WeakMap<RouteConfig, { cluster: string; name: string }>()
  readonly #attempts = new Map<string, string>()

  /** Envoy's operation name for a routed request: the route's `operation`, else cluster and match. */
  routed(route: RouteConfig, cluster: string): string {
    const known = this.#routes.get(route)
    if (known?.cluster === cluster) return known.name
    const prefix = route.match.prefix ?? route.match.path ?? route.name
    const name = route.operation ?? (prefix ? `${cluster} ${prefix}` : cluster)
    this.#routes.set(route, { cluster, name })
    return name
  }

  /** Envoy's upstream span name. */
  attempt(cluster: string | undefined): string {
    if (cluster === undefined) return 'router undefined egress'
    let name = this.#attempts.get(cluster)
    if (name === undefined) {
      name = `router ${cluster} egress`
      // Bounded: clusters come from config, but a misbehaving caller must not grow this forever.
      if (this.#attempts.size < 10_000) this.#attempts.set(cluster, name)
    }
    return name
  }
}

/** `http.status_code` values, made once per code. */
const STATUS_TEXT: string[] = []
const statusText = (status: number): string => (status >= 0 && status < 1000 ? (STATUS_TEXT[status] ??= String(status)) : String(status))

/**
 * The request span's tags known on arrival, tagRequest's in its order, written with constant names
 * straight into the record's tag map: each store then has one shape to cache, where the generic
 * `tag(name, value)` with ~25 different names a request was the tracer's largest cost (~15 % of its
 * JS). Every value written here is a non-empty string, as `tag` would leave it.
 */
function tagRequestStart(tags: SpanTagMap, info: RequestInfo, peer: ConnInfo | undefined, sequential: boolean): void {
  if (info.requestId) tags[TAG.requestId] = info.requestId
  tags[TAG.httpUrl] = httpUrlTag('http', info.authority ?? '', info.path, MAX_PATH_TAG_LENGTH, sequential)
  if (info.method) tags[TAG.httpMethod] = info.method
  if (info.protocol) tags[TAG.httpProtocol] = info.protocol
  tags[TAG.userAgent] = info.userAgent || '-'
  tags[TAG.component] = 'proxy'
  if (peer) {
    const address = plainIp(peer.remoteAddress)
    if (address) tags[TAG.peerAddress] = address
  }
}

/** An attempt span's tags known when it starts (Envoy's upstream span), as tagRequestStart writes them. */
function tagAttemptStart(tags: SpanTagMap, requestId: string | undefined, endpointKey: string, cluster: string | undefined, retries: number): void {
  if (requestId) tags[TAG.requestId] = requestId
  if (endpointKey) {
    tags[TAG.upstreamAddress] = endpointKey
    tags[TAG.peerAddress] = endpointKey
  }
  if (cluster) {
    tags[TAG.upstreamCluster] = cluster
    tags[TAG.upstreamClusterName] = cluster
  }
  tags[TAG.retryCount] = statusText(retries)
  tags[TAG.component] = 'proxy'
}

/**
 * tagResponse's tags in its order, positionally and straight onto the record (no input object per
 * span, constant names as in tagRequestStart); the ERROR status as tagResponse sets it.
 */
function tagOutcome(span: SpanRecord, status: number | undefined, flags: string | undefined, requestSize: number | undefined, responseSize: number | undefined, cluster: string | undefined, address: string | undefined, retryCount: number | undefined): void {
  // `tag`'s rule: an ended span takes no tags, an unsampled one no tags but its status.
  if (span.ended) return
  if (span.sampled) tagResponseInto(span.attributes as SpanTagMap, status, flags, requestSize, responseSize, cluster, address, retryCount)
  if (isErrorStatus(status)) span.setStatus({ code: SpanStatusCode.ERROR, message: status ? `status ${status}` : 'no response' })
}

function tagResponseInto(tags: SpanTagMap, status: number | undefined, flags: string | undefined, requestSize: number | undefined, responseSize: number | undefined, cluster: string | undefined, address: string | undefined, retryCount: number | undefined): void {
  tags[TAG.httpStatusCode] = statusText(status ?? 0)
  tags[TAG.responseFlags] = flags || '-'
  if (requestSize !== undefined) tags[TAG.requestSize] = String(requestSize)
  if (responseSize !== undefined) tags[TAG.responseSize] = String(responseSize)
  if (cluster) {
    tags[TAG.upstreamCluster] = cluster
    tags[TAG.upstreamClusterName] = cluster
  }
  if (address) tags[TAG.upstreamAddress] = address
  if (retryCount !== undefined) tags[TAG.retryCount] = statusText(retryCount)
  if (isErrorStatus(status)) tags[TAG.error] = 'true'
}

class Trace implements RequestTrace {
  /** The router runs attempts one after another, so one slot holds the open attempt's span. */
  #attempt: SpanRecord | undefined
  #attemptNumber = 0
  /** Only if attempts ever overlap: the earlier ones wait here. */
  #overlapping: Map<number, SpanRecord> | undefined
  #cluster: string | undefined

  constructor(
    readonly tracing: Tracing,
    readonly span: SpanRecord,
    readonly forced: boolean,
    readonly requestId: string | undefined,
    /** Custom tags, flat name/value pairs, for each attempt span too. */
    readonly customTags: readonly string[],
    readonly format: B3Format,
    readonly remoteOf: (endpoint: Endpoint, cluster: string | undefined) => RemoteEndpoint,
    readonly names: SpanNames,
    /** B3 may have arrived: the attempts' headers may hold stale B3 fields to remove. */
    readonly arrivedWithB3: boolean,
  ) {}

  routed(route: RouteConfig, cluster: string): void {
    this.#cluster = cluster
    this.span.updateName(this.names.routed(route, cluster))
  }

  attempt(attempt: AttemptStart): void {
    // The request span is the parent as it is: a SpanRecord carries trace id, span id, sampled, debug.
    const span = this.tracing.startChildSpan(this.span, this.names.attempt(this.#cluster), SpanKind.CLIENT, attempt.startedAt === undefined ? undefined : spanTimeOf(attempt.startedAt))
    if (span.sampled) {
      // Envoy's upstream span tags, and the remote endpoint Zipkin's dependency links and remoteServices read.
      tagAttemptStart(span.attributes as SpanTagMap, this.requestId, attempt.endpoint.key, this.#cluster, attempt.number - 1)
      for (let i = 0; i < this.customTags.length; i += 2) span.tag(this.customTags[i]!, this.customTags[i + 1])
      span.remote = this.remoteOf(attempt.endpoint, this.#cluster)
    }
    if (this.#attempt) (this.#overlapping ??= new Map()).set(this.#attemptNumber, this.#attempt)
    this.#attempt = span
    this.#attemptNumber = attempt.number
    // In place: attempts run one after another and each overwrites every B3 field it sends (a copy
    // per attempt cost ~17 µs on Deno). Where no B3 arrived they go into the fields' block.
    // The record's ids are in wire form already (setup-tracing lower-cases and B3-forms them).
    injectB3Ids(attempt.fields, span.traceId, span.spanId, this.span.spanId, span.sampled, span.debug, this.format, this.arrivedWithB3)
  }

  attemptDone(attempt: AttemptStart, result: AttemptResult): void {
    const span = this.#take(attempt.number)
    if (!span) return
    const response = result.kind === 'response'
    tagOutcome(span, response ? result.response.status : undefined, response ? '' : failureFlag(result.failure, result.cause), undefined, undefined, this.#cluster, attempt.endpoint.key, attempt.number - 1)
    // Where the attempt loop timed it: the same instant as upstream_rq_time.
    if (attempt.startedAt !== undefined && attempt.elapsedMs !== undefined) span.endAt(spanTimeOf(attempt.startedAt + attempt.elapsedMs))
    else span.end()
  }

  end(info: RequestInfo): void {
    tagOutcome(this.span, info.status, info.flags, info.bytesReceived, info.bytesSent, info.upstreamCluster, info.upstreamHost, undefined)
    // Where the request's duration ended (downstream_rq_time, %DURATION%): span and log agree.
    if (info.endedAt !== undefined) this.span.endAt(spanTimeOf(info.endedAt))
    else this.span.end()
  }

  #take(number: number): SpanRecord | undefined {
    if (this.#attempt && this.#attemptNumber === number) {
      const span = this.#attempt
      this.#attempt = undefined
      return span
    }
    const span = this.#overlapping?.get(number)
    this.#overlapping?.delete(number)
    return span
  }
}
