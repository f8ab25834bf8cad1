// Envoy's StreamInfo: what happened to one downstream request. The phases fill it in as they go;
// the observers (stats, access log, tracing) only read it. One plain object per request.

import type { ClusterStats } from '../stats/stats-store.ts'

export type RequestInfo = {
  /** Wall-clock start (epoch ms), for the access log. */
  readonly startTimeMs: number
  /** Monotonic start (the proxy's `now()`), for durations. */
  readonly startedAt: number
  readonly method: string
  /** Path and query as the client sent them. */
  readonly path: string
  readonly authority: string | null
  readonly forwardedFor: string | null
  readonly userAgent: string | null
  readonly requestId: string | undefined
  /**
   * The client is internal (Envoy's internal_address_config): always true off the edge; at a
   * use_remote_address listener only loopback/private clients, which alone may force a trace or
   * keep their own x-request-id.
   */
  readonly internal: boolean
  /** A field the tracer reads (B3, x-client-trace-id, x-envoy-force-trace) arrived (ArrivalFields.tracing). */
  readonly tracingFields: boolean
  /** `HTTP/1.1` or `HTTP/2` (Envoy's %PROTOCOL%), as far as the runtime tells. */
  readonly protocol: string
  routeName: string | undefined
  upstreamCluster: string | undefined
  /** The routed cluster's stats (Envoy's upstreamClusterInfo), for the stats observer. */
  upstreamClusterStats: ClusterStats | undefined
  upstreamHost: string | undefined
  attempts: number
  status: number
  /** Response flags (`UF`, `UF,URX`...); empty when the upstream answered. */
  flags: string
  /** Response-code details: `via_upstream` or the local reply's code. */
  details: string
  bytesReceived: number
  bytesSent: number
  durationMs: number
  /**
   * Monotonic end (the proxy's `now()`): when the client had the whole response, as durationMs
   * counts it; undefined until then. The request's span ends at this same instant.
   */
  endedAt: number | undefined
  upstreamServiceTimeMs: number | undefined
  /** The client's request headers (access-log %REQ()%). */
  readonly requestHeaders: Headers
  /** The headers sent downstream, once there are any (access-log %RESP()%). */
  responseHeaders: Headers | undefined
  /**
   * `ip:port` of the downstream peer, taken on arrival only when the access log prints it (Bun
   * cannot tell it once the response is out, and asking costs on every request).
   */
  downstreamPeer: string | undefined
}
