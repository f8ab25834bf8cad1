// The path of one downstream request through a listener, as phases: limits, request id, route,
// body, attempt loop, response. Every failure becomes a local reply here; nothing throws out.

import type { ConnInfo, Runtime } from '../runtime.ts'
import type { ListenerStats } from '../stats/stats-store.ts'
import type { ListenerConfig, RouteConfig, VirtualHostConfig } from '../config/model.ts'
import { badRequest, headersTooLarge, noRoute, ProxyError } from '../errors.ts'
import { compileHeaderRules, type HeaderMutation } from '../routing/header-rules.ts'
import { headerVariables } from '../routing/header-variables.ts'
import type { RouteTable } from '../routing/route-table.ts'
import type { ClusterManager } from '../upstream/cluster-manager.ts'
import type { AccessLogEntry } from '../access-log.ts'
import { downstreamHeaders } from './headers/downstream-headers.ts'
import { localReply } from './local-reply.ts'
import { isSmallSizedBody, readWholeBody, whenBodyDone } from './response-body.ts'
import { guardResponseBody } from './response-stream.ts'
import { prepareBody } from './request-body.ts'
import { requestIdFor } from './headers/request-id.ts'
import { routeRequest, type RouterDeps } from './forward.ts'
import { downstreamAddress, upstreamHeaders } from './headers/upstream-headers.ts'
import { isInternalAddress } from './headers/internal-address.ts'
import type { RequestTracer } from './request-tracer.ts'
import { framingError } from './request-framing.ts'
import { isTargetError, requestTarget, type RequestTarget } from './request-target.ts'
import { mergeSlashes, normalizePath } from './path-normalization.ts'

export type ProxyHandlerDeps = RouterDeps & {
  readonly listener: ListenerConfig
  readonly routes: RouteTable
  readonly clusters: Pick<ClusterManager, 'get'>
  readonly runtime: Pick<Runtime, 'decodesBodies'>
  readonly stats: ListenerStats
  /** Access log sink; undefined when the listener logs nothing. */
  readonly accessLog: ((entry: AccessLogEntry) => void) | undefined
  readonly tracer: RequestTracer | undefined
  readonly hostname: string
}

export type ProxyHandler = (request: Request, conn: ConnInfo) => Promise<Response>

type HeaderRuleSet = { request: HeaderMutation | undefined; response: HeaderMutation | undefined }

export function createProxyHandler(deps: ProxyHandlerDeps): ProxyHandler {
  const { listener, stats } = deps
  const rules = compileAllHeaderRules(listener.virtualHosts)

  return async function handle(request, conn) {
    const started = deps.now()
    const startTimeMs = Date.now()
    stats.downstream_rq_total.inc()
    stats.rq_total.inc()
    stats.downstream_rq_active.inc()
    const { headers: incoming, method } = request
    const target = requestTarget(request.url, incoming.get('host'))
    const invalid = isTargetError(target) ? target : framingError(incoming)
    const path = isTargetError(target) ? request.url : pathFor(target.path, listener)
    const query = isTargetError(target) ? '' : target.query
    // At an edge (use_remote_address) an external client may neither force a trace nor pick its
    // request id (Envoy's preserve_external_request_id: false).
    const external = listener.useRemoteAddress && !isInternalAddress(downstreamAddress(incoming, listener, conn.remoteAddress))
    const dropClientId = external && !listener.preserveExternalRequestId
    const requestId = requestIdFor(dropClientId ? null : incoming.get('x-request-id'), listener.generateRequestId)
    const entry: AccessLogEntry = {
      startTimeMs,
      method,
      path: query === '' ? path : `${path}?${query}`,
      status: 0,
      flags: '',
      details: 'via_upstream',
      bytesReceived: 0,
      bytesSent: 0,
      durationMs: 0,
      upstreamServiceTimeMs: undefined,
      forwardedFor: incoming.get('x-forwarded-for'),
      userAgent: incoming.get('user-agent'),
      requestId,
      authority: incoming.get('host'),
      upstreamHost: undefined,
      upstreamCluster: undefined,
      routeName: undefined,
      attempts: 0,
    }
    const trace = deps.tracer?.start(request, entry, listener, conn, { internal: !external })

    const reply = (error: ProxyError, flags: string = error.flag): Response => {
      entry.flags = flags
      entry.details = error.code
      const response = localReply(error, listener.serverName)
      // Envoy's codec errors (400, 431): the connection is not reused.
      if (error.flag === 'DPE') response.headers.set('connection', 'close')
      if (requestId && (listener.alwaysSetRequestIdInResponse || trace?.forced)) response.headers.set('x-request-id', requestId)
      return finish(response)
    }

    const observed = deps.accessLog !== undefined || trace !== undefined
    const done = (bytes: number) => {
      stats.downstream_rq_active.dec()
      entry.bytesSent = bytes
      entry.durationMs = Math.round(deps.now() - started)
      trace?.end(entry)
      deps.accessLog?.(entry)
    }
    /** `wholeBytes`: the body was read whole, so it is done as soon as it is handed over. */
    const finish = (response: Response, wholeBytes?: number): Response => {
      entry.status = response.status
      stats[`downstream_rq_${Math.floor(response.status / 100)}xx` as 'downstream_rq_2xx'].inc()
      if (!observed) {
        stats.downstream_rq_active.dec()
        return response
      }
      if (wholeBytes !== undefined) {
        done(wholeBytes)
        return response
      }
      return whenBodyDone(response, done)
    }

    if (invalid) {
      // Envoy's codec errors: 400, never forwarded.
      stats.downstream_cx_protocol_error.inc()
      return reply(badRequest(invalid.why, invalid.code))
    }
    // Envoy counts the request line's method and path as headers too.
    if (method.length + path.length + query.length + headerBytes(incoming) > listener.maxRequestHeadersBytes) {
      stats.downstream_rq_header_overflow.inc()
      return reply(headersTooLarge())
    }
    const match = deps.routes.match({ authority: (target as RequestTarget).authority, path, query, headers: incoming })
    if (!match) {
      stats.no_route.inc()
      return reply(noRoute())
    }
    const { route, virtualHost } = match
    entry.routeName = route.name
    entry.upstreamCluster = match.cluster
    trace?.routed(route, match.cluster)
    const cluster = deps.clusters.get(match.cluster)!
    const retryPolicy = route.retryPolicy ?? virtualHost.retryPolicy
    const body = await prepareBody(request, {
      maxBytes: listener.maxRequestBytes,
      bufferBytes: listener.retryBufferBytes,
      mayRetry: retryPolicy !== undefined && retryPolicy.numRetries > 0,
    })
    if (body instanceof ProxyError) {
      if (body.status === 413) stats.downstream_rq_too_large.inc()
      return reply(body)
    }
    entry.bytesReceived = body.size ?? Number(incoming.get('content-length') ?? 0)

    const outgoing = upstreamHeaders(incoming, listener, {
      peer: conn,
      requestId,
      hostRewrite: route.hostRewrite,
      timeoutMs: route.timeoutMs,
    })
    if (dropClientId && requestId === undefined) outgoing.delete('x-request-id')
    const routeRules = rules.get(route)!
    const hostRules = rules.get(virtualHost)!
    const variablesFor = (requestHeaders: Headers, upstreamRemoteAddress: string | undefined) =>
      headerVariables({
        requestHeaders,
        // With trusted hops, Envoy's downstream address is the client XFF names, not the peer.
        downstreamRemoteAddress: `${downstreamAddress(incoming, listener, conn.remoteAddress)}:${conn.remotePort}`,
        upstreamRemoteAddress,
        hostname: deps.hostname,
        startTimeMs,
      })
    // Envoy applies the more specific level last: virtual host, then route.
    if (hostRules.request || routeRules.request) {
      const variables = variablesFor(incoming, undefined)
      hostRules.request?.(outgoing, variables)
      routeRules.request?.(outgoing, variables)
    }

    const result = await routeRequest(
      {
        cluster,
        method,
        path: match.upstreamPath,
        headers: outgoing,
        body,
        timeoutMs: route.timeoutMs,
        retryPolicy,
        downstreamSignal: request.signal,
        onAttempt: trace && ((attempt) => trace.attempt(attempt)),
        onAttemptDone: trace && ((attempt, outcome) => trace.attemptDone(attempt, outcome)),
      },
      deps,
    )
    entry.attempts = result.attempts
    entry.upstreamHost = result.endpoint?.key
    if (result.outcome instanceof ProxyError) {
      if (result.outcome.status === 413) stats.downstream_rq_too_large.inc()
      // Envoy adds URX when the last of several attempts failed to connect.
      return reply(result.outcome, result.attempts > 1 && result.outcome.flag === 'UF' ? 'UF,URX' : result.outcome.flag)
    }
    const upstream = result.outcome
    entry.upstreamServiceTimeMs = Math.round(result.upstreamTimeMs)
    const headers = downstreamHeaders(upstream.headers, listener, deps.runtime.decodesBodies, entry.upstreamServiceTimeMs)
    if (hostRules.response || routeRules.response) {
      // Envoy's %REQ()% in response headers reads the request as forwarded: with the generated
      // x-request-id and the B3 ids the attempt carried (the sandbox echoes x-b3-traceid this way).
      const variables = variablesFor(outgoing, result.endpoint?.key)
      hostRules.response?.(headers, variables)
      routeRules.response?.(headers, variables)
    }
    if (requestId && (listener.alwaysSetRequestIdInResponse || trace?.forced)) headers.set('x-request-id', requestId)
    const init = { status: upstream.status, statusText: upstream.statusText, headers }
    // An idle timeout needs to see each read: such bodies always stream.
    if (observed && route.idleTimeoutMs === 0 && isSmallSizedBody(method, upstream)) {
      const remainingMs = route.timeoutMs > 0 ? route.timeoutMs - result.upstreamTimeMs : Infinity
      const whole = await readWholeBody(upstream, remainingMs)
      if (whole instanceof ProxyError) {
        cluster.stats[whole.flag === 'UT' ? 'upstream_rq_timeout' : 'upstream_rq_rx_reset'].inc()
        return reply(whole)
      }
      return finish(new Response(whole, init), whole.byteLength)
    }
    const limits = { remainingMs: route.timeoutMs > 0 ? route.timeoutMs - result.upstreamTimeMs : Infinity, idleMs: route.idleTimeoutMs }
    if (!upstream.body) return finish(new Response(null, init))
    entry.status = upstream.status
    stats[`downstream_rq_${Math.floor(upstream.status / 100)}xx` as 'downstream_rq_2xx'].inc()
    const guarded = guardResponseBody(upstream.body, limits, (bytes, failure) => {
      if (failure) {
        // Headers went out as the upstream sent them; the cut body is the access log's to tell.
        entry.flags = failure.flag
        entry.details = failure.code
        if (failure.flag === 'UR') cluster.stats.upstream_rq_rx_reset.inc()
        else if (failure.flag === 'UT') cluster.stats.upstream_rq_timeout.inc()
        else stats.downstream_rq_idle_timeout.inc()
      }
      if (observed) done(bytes)
      else stats.downstream_rq_active.dec()
    })
    return new Response(guarded, init)
  }
}

function compileAllHeaderRules(virtualHosts: readonly VirtualHostConfig[]): Map<VirtualHostConfig | RouteConfig, HeaderRuleSet> {
  const rules = new Map<VirtualHostConfig | RouteConfig, HeaderRuleSet>()
  const compile = (level: VirtualHostConfig | RouteConfig): HeaderRuleSet => ({
    request: level.requestHeadersToAdd.length || level.requestHeadersToRemove.length ? compileHeaderRules(level.requestHeadersToAdd, level.requestHeadersToRemove) : undefined,
    response: level.responseHeadersToAdd.length || level.responseHeadersToRemove.length ? compileHeaderRules(level.responseHeadersToAdd, level.responseHeadersToRemove) : undefined,
  })
  for (const virtualHost of virtualHosts) {
    rules.set(virtualHost, compile(virtualHost))
    for (const route of virtualHost.routes) rules.set(route, compile(route))
  }
  return rules
}

/** The path routed and forwarded: Envoy's normalize_path, then merge_slashes, when the listener asks. */
function pathFor(path: string, listener: ListenerConfig): string {
  const normalized = listener.normalizePath ? normalizePath(path) : path
  return listener.mergeSlashes ? mergeSlashes(normalized) : normalized
}

/** Approximate request-header size as HTTP/1.1 sends it (`name: value\r\n`). */
function headerBytes(headers: Headers): number {
  let total = 0
  headers.forEach((value, name) => (total += name.length + value.length + 4))
  return total
}
