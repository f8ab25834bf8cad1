// Phase 2, route: which route and cluster, how the body travels, and the headers every attempt
// sends (the client's, cleaned, plus the virtual host's and route's request header rules).

import type { ConnInfo, ProxyRequest } from '../runtime.ts'
import type { ListenerConfig, RetryPolicyConfig, RouteConfig } from '../config/model.ts'
import { noRoute, ProxyError, TlsRedirect } from '../errors.ts'
import type { HeaderMutation } from '../routing/header-rules.ts'
import { requestHash } from '../routing/hash-policy.ts'
import { headerVariables } from '../routing/header-variables.ts'
import type { RouteMatch, RouteTable } from '../routing/route-table.ts'
import type { Cluster } from '../upstream/cluster.ts'
import type { ClusterManager } from '../upstream/cluster-manager.ts'
import { downstreamAddress, upstreamFields, type Scanned } from './headers/upstream-headers.ts'
import type { UpstreamFields } from './headers/upstream-fields.ts'
import type { RequestObserver } from './observer.ts'
import { prepareBody, type PreparedBody } from './request-body.ts'
import type { Downstream } from './attempt-abort.ts'
import { decideFault, type DelayedFault } from './fault/fault-phase.ts'
import type { FaultFilter } from './fault/fault-filter.ts'
import type { RequestInfo } from './request-info.ts'
import type { RoutePlan, RoutePlans } from './route-plan.ts'
import { tlsRedirectLocation } from './tls-redirect.ts'

export type RouteContext = {
  readonly listener: ListenerConfig
  readonly routes: Pick<RouteTable, 'match'> & Partial<Pick<RouteTable, 'virtualHost'>>
  /** A plain-text listener with a require_tls virtual host: look the host up before any route. */
  readonly redirectsToTls?: boolean
  readonly clusters: Pick<ClusterManager, 'get'>
  /** Each route's plan (route-plan.ts), resolved when the handler was built. */
  readonly plans: RoutePlans
  readonly hostname: string
  /** The runtime lets the incoming headers be edited in place (Runtime.headersEditable). */
  readonly editsHeaders?: boolean
  /** The listener's fault filter: it decides from the client's headers before they are edited. */
  readonly faults?: FaultFilter
  /** add_user_agent: this proxy's node, named to the upstream as its downstream service. */
  readonly downstreamService?: { readonly cluster: string; readonly id: string }
}

/** A request ready to forward: what the attempt loop sends, and what the response phase applies. */
export type RoutedRequest = {
  readonly route: RouteConfig
  readonly cluster: Cluster
  readonly method: string
  /** After prefix_rewrite, with the query. */
  readonly path: string
  /** What every attempt sends (upstream-fields.ts): `fields.headers()` for them as one Headers. */
  readonly fields: UpstreamFields
  readonly body: PreparedBody
  readonly timeoutMs: number
  /** The route's idle_timeout for the response body; 0 for none. */
  readonly idleTimeoutMs: number
  readonly retryPolicy: RetryPolicyConfig | undefined
  /** The route's hash_policy value for RING_HASH and MAGLEV clusters; undefined = pick at random. */
  readonly hash: bigint | undefined
  readonly downstream: Downstream | undefined
  /** The virtual host's and route's response header rules; undefined where a level has none. */
  readonly hostResponseRules: HeaderMutation | undefined
  readonly routeResponseRules: HeaderMutation | undefined
  /** `ip:port` of the client for header variables; computed only when there are header rules. */
  readonly downstreamRemoteAddress: string | undefined
  /** What the fault filter decided (fault-phase.ts): an abort to answer with, or a delay; undefined for neither. */
  readonly fault: ProxyError | DelayedFault | undefined
}

/**
 * Synchronous up to the request body, which only a request with one makes wait.
 * `mayEditHeaders`: nothing reads the client's headers as sent after this phase (no upgrade).
 * `scanned`: what the arrival's walk found (scanRequestHeaders), if it ran.
 */
export function routePhase(request: ProxyRequest, conn: ConnInfo, info: RequestInfo, observer: RequestObserver, ctx: RouteContext, mayEditHeaders = false, scanned?: Scanned): RoutedRequest | ProxyError | Promise<RoutedRequest | ProxyError> {
  const queryAt = info.path.indexOf('?')
  if (ctx.redirectsToTls) {
    // As Envoy: the virtual host alone decides, whether or not a route matches.
    const virtualHost = ctx.routes.virtualHost?.(info.authority ?? '')
    const location = virtualHost && tlsRedirectLocation(virtualHost, { authority: info.authority ?? '', pathAndQuery: info.path, downstreamAddress: downstreamAddress(request.headers, ctx.listener, conn.remoteAddress) })
    if (location) return new TlsRedirect(location)
  }
  const match = ctx.routes.match({
    authority: info.authority ?? '',
    path: queryAt < 0 ? info.path : info.path.slice(0, queryAt),
    query: queryAt < 0 ? '' : info.path.slice(queryAt + 1),
    // The request's headers as the arrival read them (request.headers is a native getter per read on Bun).
    headers: info.requestHeaders,
  })
  if (!match) {
    observer.downstream(info, 'no_route')
    return noRoute()
  }
  const cluster = ctx.clusters.get(match.cluster)!
  info.routeName = match.route.name
  info.upstreamCluster = match.cluster
  info.upstreamClusterStats = cluster.stats
  observer.routed(info, match.route)
  const plan = ctx.plans.get(match.route)!
  const body = prepareBody(request, plan.bodyLimits)
  if (body instanceof Promise) return routedAfterBody(body, request, conn, info, observer, ctx, match, cluster, plan, mayEditHeaders, scanned)
  return routed(request, conn, info, observer, ctx, match, cluster, plan, body, mayEditHeaders, scanned)
}

/** A function of its own so that routePhase() captures nothing (a scope object per request otherwise). */
function routedAfterBody(body: Promise<PreparedBody | ProxyError>, request: ProxyRequest, conn: ConnInfo, info: RequestInfo, observer: RequestObserver, ctx: RouteContext, match: RouteMatch, cluster: Cluster, plan: RoutePlan, mayEditHeaders: boolean, scanned: Scanned | undefined): Promise<RoutedRequest | ProxyError> {
  return body.then((prepared) => routed(request, conn, info, observer, ctx, match, cluster, plan, prepared, mayEditHeaders, scanned))
}

function routed(request: ProxyRequest, conn: ConnInfo, info: RequestInfo, observer: RequestObserver, ctx: RouteContext, match: RouteMatch, cluster: Cluster, plan: RoutePlan, body: PreparedBody | ProxyError, mayEditHeaders: boolean, scanned: Scanned | undefined): RoutedRequest | ProxyError {
  const { listener } = ctx
  const { route } = match
  const incoming = info.requestHeaders
  if (body instanceof ProxyError) {
    if (body.status === 413) observer.downstream(info, 'downstream_rq_too_large')
    return body
  }
  info.bytesReceived = body.size ?? Number(incoming.get('content-length') ?? 0)
  // From the headers as the client sent them (before they are edited and this route's header rules).
  const hash = route.hashPolicy.length ? requestHash(route.hashPolicy, { headers: incoming, sourceIp: downstreamAddress(incoming, listener, conn.remoteAddress), query: queryOf(info.path) }) : undefined
  const { hostRules, routeRules } = plan
  // The fault filter reads the client's headers as sent: it decides before they are edited.
  const fault = ctx.faults && decideFault(incoming, route, info, ctx.faults)
  // Request header rules read the client's headers as sent (%REQ()%): those keep a copy.
  const inPlace = mayEditHeaders && ctx.editsHeaders === true && !plan.requestRules
  // With trusted hops, Envoy's downstream address is the client XFF names, not the peer.
  const downstreamRemoteAddress = plan.anyRules ? `${downstreamAddress(incoming, listener, conn.remoteAddress)}:${conn.remotePort}` : undefined

  const fields = upstreamFields(
    incoming,
    listener,
    {
      peer: conn,
      requestId: info.requestId,
      hostRewrite: route.hostRewrite,
      expectedTimeout: plan.expectedTimeout,
      constants: plan.constants,
      authority: info.authority ?? undefined,
      internal: info.internal,
      forwardedFor: info.forwardedFor,
      downstreamService: ctx.downstreamService,
    },
    inPlace,
    scanned,
  )
  // The client's id was dropped (external client) and none generated: it must not leak through.
  if (info.requestId === undefined && !info.internal && !listener.preserveExternalRequestId) fields.delete('x-request-id')
  // Envoy applies the more specific level last: virtual host, then route. The rules may set or
  // remove any field, the proxy's own too: they see one Headers with the block set into it, so
  // what they do wins exactly as it did before there was a block (and the tracer's B3 after them).
  if (plan.requestRules) {
    const headers = fields.headers()
    const variables = headerVariables({
      requestHeaders: incoming,
      downstreamRemoteAddress: downstreamRemoteAddress!,
      upstreamRemoteAddress: undefined,
      hostname: ctx.hostname,
      startTimeMs: info.startTimeMs,
    })
    hostRules.request?.(headers, variables)
    routeRules.request?.(headers, variables)
  }
  return {
    route,
    cluster,
    method: info.method,
    path: match.upstreamPath,
    fields,
    body,
    timeoutMs: route.timeoutMs,
    idleTimeoutMs: route.idleTimeoutMs,
    retryPolicy: plan.retryPolicy,
    hash,
    // The request itself: its signal is read only if an attempt runs long enough to watch it.
    downstream: request,
    hostResponseRules: hostRules.response,
    routeResponseRules: routeRules.response,
    downstreamRemoteAddress,
    fault,
  }
}

function queryOf(pathAndQuery: string): string {
  const at = pathAndQuery.indexOf('?')
  return at < 0 ? '' : pathAndQuery.slice(at + 1)
}
