// Phase 1, the downstream request: what the client sent, recorded once as the request's
// RequestInfo (target, normalised path, request id, internal or external client), and the checks
// that answer before routing: framing and Host (400, never forwarded) and the header size and count limits.

import type { ListenerConfig } from '../config/model.ts'
import { badRequest, headersTooLarge, ProxyError, tooManyHeaders } from '../errors.ts'
import type { ConnInfo, HeadRefusal, ProxyRequest } from '../runtime.ts'
import { isInternalAddress } from './headers/internal-address.ts'
import { requestIdFor } from './headers/request-id.ts'
import { fieldsOf, type ArrivalFields } from './headers/arrival-fields.ts'
import { downstreamAddressFrom, scanRequestHeaders, scannedFieldCount } from './headers/upstream-headers.ts'
import type { RequestObserver } from './observer.ts'
import { mergeSlashes, normalizePath } from './path-normalization.ts'
import { framingErrorOf } from './request-framing.ts'
import type { RequestInfo } from './request-info.ts'
import { isTargetError, type RequestTarget, type TargetError } from './request-target.ts'

/**
 * `fields`: the arrival walk's (arrival-fields.ts), else read from the request's headers.
 * `headers`: request.headers as the caller already read it (each read is a native getter on Bun).
 * `sequentialIds`: a generated request id is a sequential string (Runtime.sequentialStrings).
 * `method`: request.method as the caller already read it.
 */
export function requestInfoOf(request: ProxyRequest, conn: ConnInfo, listener: ListenerConfig, target: RequestTarget | TargetError, startedAt: number, startTimeMs: number, fields: ArrivalFields = fieldsOf(request.headers), headers: Headers = request.headers, sequentialIds = false, method = request.method): RequestInfo {
  const valid = !isTargetError(target)
  const path = valid ? pathFor(target.path, listener) : request.url
  const query = valid ? target.query : ''
  // At an edge (use_remote_address) an external client may neither force a trace nor pick its
  // request id (Envoy's preserve_external_request_id: false).
  const internal = !listener.useRemoteAddress || isInternalAddress(downstreamAddressFrom(fields.forwardedFor, listener, conn.remoteAddress))
  const keepClientId = internal || listener.preserveExternalRequestId
  return {
    startTimeMs,
    startedAt,
    method,
    path: query === '' ? path : `${path}?${query}`,
    // The target's authority: Host, or an HTTP/2 :authority the runtime kept out of Host (Deno).
    authority: valid ? target.authority : fields.host,
    forwardedFor: fields.forwardedFor,
    userAgent: fields.userAgent,
    requestId: requestIdFor(keepClientId ? fields.requestId : null, listener.generateRequestId, sequentialIds),
    internal,
    tracingFields: fields.tracing,
    protocol: conn.protocol ?? 'HTTP/1.1',
    routeName: undefined,
    upstreamCluster: undefined,
    upstreamClusterStats: undefined,
    upstreamHost: undefined,
    attempts: 0,
    status: 0,
    flags: '',
    details: 'via_upstream',
    bytesReceived: 0,
    bytesSent: 0,
    durationMs: 0,
    endedAt: undefined,
    upstreamServiceTimeMs: undefined,
    requestHeaders: headers,
    responseHeaders: undefined,
    downstreamPeer: undefined,
  }
}

/**
 * The request's own failure before routing, if any: bad framing or Host (400), headers over the
 * size or the count limit (431). Without one, the headers were walked (scanRequestHeaders): takeScanned() next.
 * `fields` and `headerBytes`: that walk already ran on arrival; what it read and the size it counted.
 */
export function downstreamRequestError(request: ProxyRequest, target: RequestTarget | TargetError, listener: ListenerConfig, info: RequestInfo, observer: RequestObserver, fields: ArrivalFields = fieldsOf(request.headers), headerBytes?: number): ProxyError | undefined {
  const refused = request.refused
  if (refused !== undefined) return refusedHead(refused, info, observer)
  const invalid = isTargetError(target) ? target : framingErrorOf(fields.contentLength, fields.transferEncoding)
  if (invalid) {
    observer.downstream(info, 'downstream_cx_protocol_error')
    return badRequest(invalid.why, invalid.code)
  }
  // Envoy counts the request line's method and path (query included, without its `?`) as headers too.
  const requestLine = info.method.length + info.path.length - (info.path.includes('?') ? 1 : 0)
  // The same walk finds what the in-place edit for forwarding deletes later (takeScanned()).
  if (requestLine + (headerBytes ?? scanRequestHeaders(request.headers, listener)) > listener.maxRequestHeadersBytes) {
    observer.downstream(info, 'downstream_rq_header_overflow')
    return headersTooLarge()
  }
  // Counted by that same walk (one increment a field).
  if (scannedFieldCount() > listener.maxRequestHeadersCount) {
    observer.downstream(info, 'downstream_rq_header_overflow')
    return tooManyHeaders()
  }
  return undefined
}

/**
 * A head the byte-level listener's parser refused, answered and counted as the same limits and
 * checks are here for a runtime's server: 431 for the size and the count, 400 (505, 414) else.
 */
function refusedHead(refused: HeadRefusal, info: RequestInfo, observer: RequestObserver): ProxyError {
  if (refused.status === 431) {
    observer.downstream(info, 'downstream_rq_header_overflow')
    return refused.code === 'http1.too_many_headers' ? tooManyHeaders() : headersTooLarge()
  }
  observer.downstream(info, 'downstream_cx_protocol_error')
  return refused.status === 400 ? badRequest(refused.message, refused.code) : new ProxyError(refused.status, refused.code, 'DPE', refused.message)
}

/** The path routed and forwarded: Envoy's normalize_path, then merge_slashes, when the listener asks. */
function pathFor(path: string, listener: ListenerConfig): string {
  const normalized = listener.normalizePath ? normalizePath(path) : path
  return listener.mergeSlashes ? mergeSlashes(normalized) : normalized
}
