// The path of one downstream request through a listener, as named phases: downstream request →
// route → fault (only where configured) → forward (attempts) → downstream response. Every failure becomes a local reply; nothing
// throws out. What happens is recorded in one RequestInfo and reported to one observer.

import type { ComponentLogger } from '../log/logger.ts'
import type { ConnInfo, ProxyRequest, Runtime, ProxyResponse } from '../runtime.ts'
import type { ListenerConfig } from '../config/model.ts'
import { ProxyError, TlsRedirect } from '../errors.ts'
import type { RouteTable } from '../routing/route-table.ts'
import type { ClusterManager } from '../upstream/cluster-manager.ts'
import type { ListenerStats } from '../stats/stats-store.ts'
import { downstreamRequestError, requestInfoOf } from './downstream-request.ts'
import { arrival } from './headers/arrival-fields.ts'
import { scanRequestHeaders, takeScanned } from './headers/upstream-headers.ts'
import { downstreamResponse, type ResponseContext } from './downstream-response.ts'
import type { FaultFilter } from './fault/fault-filter.ts'
import { delayedFault } from './fault/fault-phase.ts'
import { forward, type ForwardDeps, type Respond } from './forward.ts'
import { localReply } from './local-reply.ts'
import { createListenerObserver } from './listener-observer.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import type { RequestTracer } from './request-tracer.ts'
import { connectTarget, requestTarget } from './request-target.ts'
import { compileRoutePlans } from './route-plan.ts'
import { routePhase, type RouteContext, type RoutedRequest } from './route-phase.ts'
import { upgradeFailed, upgradeOf, upgradePhase, websocketAllowed } from './websocket.ts'

export type ProxyHandlerDeps = ForwardDeps & {
  readonly listener: ListenerConfig
  readonly routes: RouteTable
  readonly clusters: Pick<ClusterManager, 'get'>
  readonly runtime: Pick<Runtime, 'decodesBodies' | 'headersEditable' | 'openWebSocket' | 'sequentialStrings'>
  readonly stats: ListenerStats
  /** Access log sink; undefined when the listener logs nothing. */
  readonly accessLog: ((info: RequestInfo) => void) | undefined
  readonly accessLogNeedsPeer?: boolean
  /** The access log reads the request's headers as the client sent them (a configured log_format). */
  readonly accessLogReadsRequest?: boolean
  readonly tracer: RequestTracer | undefined
  readonly hostname: string
  /** The node, for a listener with add_user_agent (Envoy's --service-cluster and --service-node). */
  readonly node?: { readonly cluster: string; readonly id: string }
  /** The router logger (debug: every routing and attempt decision). */
  readonly log?: ComponentLogger
  /** The fault filter, on listeners that configure one (or whose routes do). */
  readonly faults?: FaultFilter
}

export type ProxyHandler = (request: ProxyRequest, conn: ConnInfo) => Promise<ProxyResponse>

/** The upgrade a CONNECT stands for (Envoy's upgrade type "CONNECT"), in the lower case upgradeOf gives. */
const CONNECT_UPGRADE = 'connect'

export function createProxyHandler(deps: ProxyHandlerDeps): ProxyHandler {
  const { listener } = deps
  const observers = createListenerObserver(deps)
  const ctx: RouteContext & ResponseContext = {
    listener,
    routes: deps.routes,
    clusters: deps.clusters,
    plans: compileRoutePlans(listener),
    redirectsToTls: !listener.tls && listener.virtualHosts.some((v) => v.requireTls !== 'none'),
    hostname: deps.hostname,
    observers,
    now: deps.now,
    decodesBodies: deps.runtime.decodesBodies,
    editsHeaders: deps.runtime.headersEditable,
    ...(deps.faults && { faults: deps.faults }),
    // Envoy adds the user agent only when it knows its cluster's name.
    ...(listener.addUserAgent && deps.node?.cluster && { downstreamService: deps.node }),
  }

  const editsForwarded = deps.accessLogReadsRequest !== true
  const sequentialIds = deps.runtime.sequentialStrings

  // The response phase, for the forward loop to hand its outcome to (one closure per handler).
  const respond: Respond = (routed, result, info, observer, at) => downstreamResponse(routed, result, info, observer, ctx, at)

  // Not async: the common request's only wait is the forward loop's, whose promise is the answer.
  return function handle(request, conn) {
    // One walk of the headers on arrival: their size, what must not cross (takeScanned) and the
    // fields the phases read (`arrival`, overwritten by the next request's walk: read here, at once).
    // Read once: the phases after this one take them from info.requestHeaders (a native getter each time on Bun).
    const headers = request.headers
    const headerBytes = scanRequestHeaders(headers, listener)
    const fields = arrival
    const method = request.method
    // HTTP/2's :authority, when the runtime did not turn it into Host (Deno), counts as the Host.
    const connect = method === 'CONNECT'
    const target = connect ? connectTarget(request.url) : requestTarget(request.url, fields.host ?? conn.authority ?? null)
    const info = requestInfoOf(request, conn, listener, target, deps.now(), Date.now(), fields, headers, sequentialIds, method)
    const observer = observers.start(request, info, conn)
    const invalid = downstreamRequestError(request, target, listener, info, observer, fields, headerBytes)
    if (invalid) return Promise.resolve(localReply(invalid, info, observer, ctx))
    // What the arrival walk found must not cross: the in-place edit deletes it unwalked.
    const scanned = takeScanned()
    // Envoy takes a CONNECT for an upgrade of its own kind, which no listener of edgeway's accepts.
    const upgrade = connect ? CONNECT_UPGRADE : upgradeOf(fields.upgrade)
    // An upgrade and a configured access-log format read the client's headers as sent after
    // routing: they are not edited for forwarding then (the fault filter decides before the edit).
    const routing = routePhase(request, conn, info, observer, ctx, upgrade === undefined && editsForwarded, scanned)
    if (routing instanceof Promise) return afterBody(routing, request, conn, info, observer, upgrade)
    // Routed without a wait: the forward loop starts at the arrival's clock read.
    return afterRouting(request, conn, routing, info, observer, upgrade, info.startedAt)
  }

  /**
   * The route phase waited for the request body. A function of its own so that handle() captures
   * nothing: a closure in handle() would give every request a scope object for its variables.
   */
  function afterBody(routing: Promise<RoutedRequest | ProxyError>, request: ProxyRequest, conn: ConnInfo, info: RequestInfo, observer: RequestObserver, upgrade: string | undefined): Promise<ProxyResponse> {
    return routing.then((routed) => afterRouting(request, conn, routed, info, observer, upgrade))
  }

  /** `now`: the arrival's clock read when nothing awaited since (else the forward loop reads its own). */
  function afterRouting(request: ProxyRequest, conn: ConnInfo, routed: RoutedRequest | ProxyError, info: RequestInfo, observer: RequestObserver, upgrade: string | undefined, now?: number): Promise<ProxyResponse> {
    if (upgrade === CONNECT_UPGRADE) return Promise.resolve(connectRefused(routed, info, observer))
    if (routed instanceof ProxyError) return Promise.resolve(localReply(routed, info, observer, ctx))
    if (routed.fault !== undefined || upgrade !== undefined) return faultOrUpgrade(request, conn, routed, info, observer, upgrade)
    return forward(routed, info, observer, deps, respond, now)
  }

  /**
   * A CONNECT, which no listener tunnels (Envoy without a CONNECT upgrade_config): no route takes
   * one unless it matches the empty path, so 404 NR as for any unrouted request; a route that does
   * (a TLS redirect too) is refused as Envoy refuses an upgrade the route does not allow, 403
   * upgrade_failed, before any fault. Either way the connection is not reused: what follows a
   * CONNECT's head on it is the client's tunnel, not a request.
   */
  function connectRefused(routed: RoutedRequest | ProxyError, info: RequestInfo, observer: RequestObserver): ProxyResponse {
    return closingReply(routed instanceof ProxyError && !(routed instanceof TlsRedirect) ? routed : refusedUpgrade(info, observer), info, observer)
  }

  /** A local reply after which the connection is not reused (what follows on it is not a request). */
  function closingReply(error: ProxyError, info: RequestInfo, observer: RequestObserver): ProxyResponse {
    const reply = localReply(error, info, observer, ctx)
    reply.headers.set('connection', 'close')
    return reply
  }

  /** A route that does not allow the upgrade asked for: Envoy's 403, counted as downstream_rq_ws_on_non_ws_route (any upgrade, CONNECT too). */
  function refusedUpgrade(info: RequestInfo, observer: RequestObserver): ProxyError {
    observer.downstream(info, 'downstream_rq_ws_on_non_ws_route')
    return upgradeFailed()
  }

  /** A fault to apply (after its delay) or an upgrade: the rare requests that wait on more than the upstream. */
  async function faultOrUpgrade(request: ProxyRequest, conn: ConnInfo, routed: RoutedRequest, info: RequestInfo, observer: RequestObserver, upgrade: string | undefined): Promise<ProxyResponse> {
    if (routed.fault !== undefined) {
      const fault = routed.fault instanceof ProxyError ? routed.fault : await delayedFault(routed.fault, request.signal, info, deps.faults!, deps.timers)
      if (fault) return localReply(fault, info, observer, ctx)
    }
    if (upgrade !== undefined) {
      const upgraded = upgrade === 'websocket' && websocketAllowed(routed.route, listener) ? await upgradePhase(request, conn, routed, info, observer, { openWebSocket: deps.runtime.openWebSocket, now: deps.now }) : refusedUpgrade(info, observer)
      if (!(upgraded instanceof ProxyError)) return upgraded
      // The client holds a connection it meant to upgrade: after a refusal it is not reused.
      return closingReply(upgraded, info, observer)
    }
    return forward(routed, info, observer, deps, respond)
  }
}
