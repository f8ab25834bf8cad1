// The proxy's tracing hooks implemented on the tracing layer: B3 in, Envoy's sampling decision,
// one span per request (SERVER on ingress listeners, CLIENT on egress ones) and one CLIENT child
// per upstream attempt named as Envoy names upstream spans, B3 out with the attempt's ids.
// With shared_span_context an ingress span reuses the caller's span id (Zipkin's shared span).

import { SpanKind } from '@opentelemetry/api'
import type { ListenerStats } from '../src/stats/stats-store.ts'
import type { ListenerConfig, RouteConfig } from '../src/config/model.ts'
import { failureFlag } from '../src/errors.ts'
import type { AttemptResult, AttemptStart } from '../src/proxy/attempt.ts'
import type { RequestTrace, RequestTracer } from '../src/proxy/request-tracer.ts'
import type { RequestInfo } from '../src/proxy/request-info.ts'
import type { Endpoint } from '../src/upstream/endpoint.ts'
import { extractB3, type IncomingTrace } from './b3-extract.ts'
import { injectB3, type B3Format } from './b3-inject.ts'
import { compileCustomTags, type CompiledCustomTags } from './custom-tags.ts'
import { plainIp, remoteEndpoint } from './remote-endpoint.ts'
import type { SpanParent, Tracing } from './setup-tracing.ts'
import type { RemoteEndpoint, SpanRecord } from './span-record.ts'
import { httpUrlTag, TAG, tagRequest, tagResponse } from './span-tags.ts'

export type RequestTracerDeps = {
  readonly tracing: Tracing
  readonly listenerStats: (listener: ListenerConfig) => ListenerStats
  readonly random?: () => number
  /** Envoy's runtime keys tracing.random_sampling (0-10000), tracing.client_enabled and tracing.global_enabled (%). */
  readonly runtime?: { getInteger(key: string, fallback: number): number }
  /** Envoy's ZipkinConfig shared_span_context; default false (edgeway's separate spans). */
  readonly sharedSpanContext?: boolean
  /** What B3 goes upstream; default the multi headers. */
  readonly b3Headers?: B3Format
  /** Read once per listener for `environment` custom tags. */
  readonly env?: (name: string) => string | undefined
}

type ListenerState = { stats: ListenerStats; customTags: CompiledCustomTags }

export function createRequestTracer(deps: RequestTracerDeps): RequestTracer {
  const random = deps.random ?? Math.random
  const env = deps.env ?? (() => undefined)
  const shared = deps.sharedSpanContext === true
  const format = deps.b3Headers ?? 'multi'
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
      const incoming = extractB3(headers)
      let state = stateOf.get(listener)
      if (!state) {
        state = { stats: deps.listenerStats(listener), customTags: compileCustomTags(listener.tracing.customTags, env) }
        stateOf.set(listener, state)
      }
      const sampling = deps.runtime ? runtimeSampling(listener.tracing, deps.runtime) : listener.tracing
      const decision = decide(incoming, headers, sampling, state.stats, random, facts?.internal ?? true)
      const ingress = listener.direction === 'ingress'
      // Shared: the SERVER half of the caller's span keeps its id, its parent is the caller's parent.
      const sharing = shared && ingress && incoming?.traceId !== undefined && incoming.spanId !== undefined
      let parent: SpanParent | undefined
      if (incoming?.traceId && incoming.spanId) {
        parent = { traceId: incoming.traceId, spanId: sharing ? (incoming.parentSpanId ?? '') : incoming.spanId, sampled: decision.sampled, debug: incoming.debug }
      }
      const query = info.path.indexOf('?')
      const span = deps.tracing.startSpan(`${info.method} ${query < 0 ? info.path : info.path.slice(0, query)}`, {
        kind: ingress ? SpanKind.SERVER : SpanKind.CLIENT,
        parent,
        sampled: decision.sampled,
        debug: incoming?.debug ?? false,
        sharedId: sharing ? incoming!.spanId : undefined,
      })
      tagRequest(span, {
        requestId: info.requestId,
        url: httpUrlTag('http', info.authority ?? '', info.path),
        method: info.method,
        protocol: info.protocol,
        userAgent: info.userAgent,
      })
      if (peer && span.sampled) {
        span.tag(TAG.peerAddress, plainIp(peer.remoteAddress))
        // A SERVER span's remote is its client; an egress CLIENT span's remote is upstream, set by its attempts.
        if (ingress) span.remote = remoteEndpoint(peer.remoteAddress, peer.remotePort)
      }
      const custom = span.sampled ? state.customTags.forRequest(headers) : NO_TAGS
      for (let i = 0; i < custom.length; i += 2) span.tag(custom[i]!, custom[i + 1])
      return new Trace(deps.tracing, span, decision.forced, info.requestId, custom, format, remoteOf)
    },
  }
}

const NO_TAGS: string[] = []

type Decision = { sampled: boolean; forced: boolean }

type Sampling = Pick<ListenerConfig['tracing'], 'randomSampling' | 'clientSampling' | 'overallSampling'>

/** The HCM's percentages, each overridden by its runtime key when a layer sets it (Envoy's featureEnabled). */
function runtimeSampling(configured: Sampling, runtime: NonNullable<RequestTracerDeps['runtime']>): Sampling {
  const random = runtime.getInteger('tracing.random_sampling', -1)
  return {
    randomSampling: random >= 0 ? Math.min(random, 10_000) / 100 : configured.randomSampling,
    clientSampling: Math.min(runtime.getInteger('tracing.client_enabled', configured.clientSampling), 100),
    overallSampling: Math.min(runtime.getInteger('tracing.global_enabled', configured.overallSampling), 100),
  }
}

/** Envoy's order: B3's own decision, then x-client-trace-id, x-envoy-force-trace, random sampling. */
function decide(incoming: IncomingTrace | undefined, headers: Headers, sampling: Sampling, stats: ListenerStats, random: () => number, internal: boolean): Decision {
  // Envoy honours x-envoy-force-trace only from internal clients.
  const forced = internal && headers.has('x-envoy-force-trace')
  if (incoming?.debug) return { sampled: true, forced }
  if (incoming?.sampled !== undefined) return { sampled: incoming.sampled, forced }
  const percent = () => random() * 100
  let sampled: boolean
  if (headers.has('x-client-trace-id') && percent() < sampling.clientSampling) {
    stats['tracing.client_enabled'].inc()
    sampled = true
  } else if (forced) {
    stats['tracing.service_forced'].inc()
    sampled = true
  } else if (percent() < sampling.randomSampling) {
    stats['tracing.random_sampling'].inc()
    sampled = true
  } else {
    stats['tracing.not_traceable'].inc()
    sampled = false
  }
  // overall_sampling can veto any decision made here.
  if (sampled && sampling.overallSampling < 100 && percent() >= sampling.overallSampling) sampled = false
  return { sampled, forced }
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
  ) {}

  routed(route: RouteConfig, cluster: string): void {
    this.#cluster = cluster
    const prefix = route.match.prefix ?? route.match.path ?? route.name
    this.span.updateName(route.operation ?? (prefix ? `${cluster} ${prefix}` : cluster))
  }

  attempt(attempt: AttemptStart): Headers {
    // The request span is the parent as it is: a SpanRecord carries trace id, span id, sampled, debug.
    const span = this.tracing.startSpan(`router ${this.#cluster} egress`, { kind: SpanKind.CLIENT, parent: this.span })
    if (span.sampled) {
      // Envoy's upstream span tags, and the remote endpoint Zipkin's dependency links and remoteServices read.
      span.tag(TAG.requestId, this.requestId)
      span.tag(TAG.upstreamAddress, attempt.endpoint.key)
      span.tag(TAG.peerAddress, attempt.endpoint.key)
      span.tag(TAG.upstreamCluster, this.#cluster)
      span.tag(TAG.upstreamClusterName, this.#cluster)
      span.tag(TAG.retryCount, attempt.number - 1)
      span.tag(TAG.component, 'proxy')
      for (let i = 0; i < this.customTags.length; i += 2) span.tag(this.customTags[i]!, this.customTags[i + 1])
      span.remote = this.remoteOf(attempt.endpoint, this.#cluster)
    }
    if (this.#attempt) (this.#overlapping ??= new Map()).set(this.#attemptNumber, this.#attempt)
    this.#attempt = span
    this.#attemptNumber = attempt.number
    // In place: attempts run one after another and each overwrites every B3 header it sends (a copy
    // per attempt cost ~17 µs on Deno).
    const headers = attempt.headers
    injectB3(headers, { traceId: span.traceId, spanId: span.spanId, parentSpanId: this.span.spanId, sampled: span.sampled, debug: span.debug }, this.format)
    return headers
  }

  attemptDone(attempt: AttemptStart, result: AttemptResult): void {
    const span = this.#take(attempt.number)
    if (!span) return
    tagResponse(span, {
      status: result.kind === 'response' ? result.response.status : undefined,
      responseFlags: result.kind === 'failure' ? failureFlag(result.failure, result.cause) : '',
      upstreamCluster: this.#cluster,
      upstreamAddress: attempt.endpoint.key,
      retryCount: attempt.number - 1,
    })
    span.end()
  }

  end(info: RequestInfo): void {
    tagResponse(this.span, {
      status: info.status,
      responseFlags: info.flags,
      requestSize: info.bytesReceived,
      responseSize: info.bytesSent,
      upstreamCluster: info.upstreamCluster,
      upstreamAddress: info.upstreamHost,
    })
    this.span.end()
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
