// Phase 4, the downstream response: the upstream's answer with cleaned headers and the response
// header rules, or the local reply for a failure. The HTTP/1.1 client's own Response goes on as it
// is when it holds the whole body or reports the body's end itself (src/upstream/whole-body.ts,
// body-end.ts); otherwise a small sized body is read whole first (response-body.ts says why) and any
// other body streams through the guard (response-stream.ts). The route deadline bounds all of them
// by aborting the upstream call (attempt-abort.ts).

import { ProxyError } from '../errors.ts'
import { headerVariables } from '../routing/header-variables.ts'
import { downstreamHeaders } from './headers/downstream-headers.ts'
import type { ForwardedResponse } from './forward.ts'
import { echoRequestId, localReply, type LocalReplyContext } from './local-reply.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { bodyDone, respond } from './respond.ts'
import { isSmallSizedBody, readWholeBody } from './response-body.ts'
import { guardResponseBody, resetAfterStart, timeoutAfterStart } from './response-stream.ts'
import type { RoutedRequest } from './route-phase.ts'
import { bodyEndOf, type BodyEnd } from '../upstream/body-end.ts'
import { isHopByHopFree } from '../upstream/hop-by-hop-free.ts'
import { wholeBodyOf, wholeBodyResponse } from '../upstream/whole-body.ts'
import type { ProxyResponse } from '../runtime.ts'

export type ResponseContext = LocalReplyContext & {
  /** The runtime hands back decompressed bodies (Deno): content-encoding no longer applies. */
  readonly decodesBodies: boolean
  /** For %HOSTNAME% in response header rules. */
  readonly hostname: string
  /** The runtime lets fetched headers be edited in place (Runtime.headersEditable). */
  readonly editsHeaders?: boolean
}

/**
 * Synchronous unless a small body must be read first (a runtime's fetch; not the HTTP/1.1 client's own Responses).
 * `at`: the forward loop's clock read when the outcome was known (Respond): a whole body handed over now is done then.
 */
export function downstreamResponse(routed: RoutedRequest, result: ForwardedResponse | ProxyError, info: RequestInfo, observer: RequestObserver, ctx: ResponseContext, at?: number): ProxyResponse | Promise<ProxyResponse> {
  if (result instanceof ProxyError) return localReply(result, info, observer, ctx)
  const upstream = result.response
  // The upstream client's own Response, with its whole body (whole-body.ts) or one whose end it
  // reports (body-end.ts, unless an idle timeout must see each read): edited and handed on as it is.
  const whole = wholeBodyOf(upstream)
  // A small sized body still arriving is read whole first (a failure then is a local reply, below).
  const reported = whole === undefined && routed.idleTimeoutMs === 0 && !isSmallSizedBody(info.method, upstream) ? bodyEndOf(upstream) : undefined
  const own = whole !== undefined || reported !== undefined
  const headers = downstreamHeaders(upstream.headers, ctx.listener, ctx.decodesBodies, info.upstreamServiceTimeMs!, ctx.editsHeaders === true || own, own && isHopByHopFree(upstream))
  if (routed.hostResponseRules || routed.routeResponseRules) {
    // Envoy's %REQ()% in response headers reads the request as forwarded: with the generated
    // x-request-id and the B3 ids the attempt carried (the sandbox echoes x-b3-traceid this way).
    const variables = headerVariables({
      requestHeaders: routed.fields.headers(),
      downstreamRemoteAddress: routed.downstreamRemoteAddress!,
      upstreamRemoteAddress: info.upstreamHost,
      hostname: ctx.hostname,
      startTimeMs: info.startTimeMs,
    })
    routed.hostResponseRules?.(headers, variables)
    routed.routeResponseRules?.(headers, variables)
  }
  echoRequestId(headers, info, observer, ctx.listener)
  info.responseHeaders = headers
  if (whole !== undefined) {
    // The exchange that made a whole-body Response is over: its controller can serve another attempt.
    result.abort?.recycle()
    return respond(upstream, info, observer, ctx, whole.byteLength, at)
  }
  return bodyToCome(routed, result, info, observer, ctx, upstream, headers, reported)
}

/**
 * A body still to come: its end reported by the client, read whole first, or streamed through the
 * guard. A function of its own so that downstreamResponse() captures nothing: its closures here
 * would give every response, a whole-body one too, a scope object.
 */
function bodyToCome(routed: RoutedRequest, result: ForwardedResponse, info: RequestInfo, observer: RequestObserver, ctx: ResponseContext, upstream: ProxyResponse, headers: Headers, reported: BodyEnd | undefined): ProxyResponse | Promise<ProxyResponse> {
  if (reported !== undefined) {
    info.status = upstream.status
    observer.responded(info)
    const abort = result.abort
    // The route deadline aborts the call, which errors the client's stream: the runtime cuts the body.
    reported.listen((bytes, failure, cancelled) => {
      const timedOut = abort?.timedOut === true
      abort?.release()
      // The reader stopping is the downstream leaving: not a failure of the upstream.
      streamEnded(info, observer, ctx, bytes, cancelled || failure === undefined ? undefined : timedOut ? timeoutAfterStart() : resetAfterStart(failure))
    })
    return upstream
  }
  const init = { status: upstream.status, statusText: upstream.statusText, headers }
  // A small body of declared length is read whole whether or not an observer waits for its end:
  // that costs less than streaming it through the timeout guard (bench: 71 vs 96 µs of CPU per
  // small request). An idle timeout needs to see each read: such bodies always stream.
  if (routed.idleTimeoutMs === 0 && isSmallSizedBody(info.method, upstream)) {
    return readWholeBody(upstream, result.abort).then((whole) => {
      if (whole instanceof ProxyError) {
        observer.upstream(info, whole.flag === 'UT' ? 'timeout' : 'rx_reset')
        return localReply(whole, info, observer, ctx)
      }
      return respond(wholeBodyResponse(whole, init), info, observer, ctx, whole.byteLength)
    })
  }
  if (!upstream.body) {
    result.abort?.release()
    return respond(new Response(null, init), info, observer, ctx)
  }
  info.status = upstream.status
  observer.responded(info)
  const guarded = guardResponseBody(upstream.body, { abort: result.abort, idleMs: routed.idleTimeoutMs }, (bytes, failure) => streamEnded(info, observer, ctx, bytes, failure))
  return new Response(guarded, init)
}

/** A streamed body is over: `failure` when it was cut (UR, UT or SI). */
function streamEnded(info: RequestInfo, observer: RequestObserver, ctx: ResponseContext, bytes: number, failure: ProxyError | undefined): void {
  if (failure) {
    // Headers went out as the upstream sent them; the cut body is the access log's to tell.
    info.flags = failure.flag
    info.details = failure.code
    if (failure.flag === 'UR') observer.upstream(info, 'rx_reset')
    else if (failure.flag === 'UT') observer.upstream(info, 'timeout')
    else observer.downstream(info, 'downstream_rq_idle_timeout')
  }
  bodyDone(info, observer, ctx, bytes)
}
