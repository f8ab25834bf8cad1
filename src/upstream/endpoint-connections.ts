// What an upstream client's connection pool asks of, and reports to, one endpoint of one cluster
// (Envoy's Host as its connection pool sees it): the cluster's connection and pending-request
// breakers, and the connection stats of the cluster (`upstream_cx_*`) and of the endpoint
// (`/clusters` cx_*). The cluster hands one to every attempt; the client (src/http1/) calls it, so
// stats stay core and the client stays free of stats and config.

import type { TlsHandshakeReport } from '../stats/ssl-stats.ts'
import type { ClusterStats } from '../stats/stats-store.ts'
import type { CircuitBreakers } from './circuit-breakers.ts'
import type { Endpoint } from './endpoint.ts'

/** How a connection ended, as the pool saw it. */
export type ConnectionEnd = {
  /** Connect start to close, ms (Envoy's upstream_cx_length_ms starts at connect too). */
  readonly lengthMs: number
  /** Edgeway closed it (an error, a timeout, the idle pool); false = the upstream did. */
  readonly local: boolean
  /** It closed before it was established: a connect failure. */
  readonly connectFailed: boolean
  /** The connect timeout closed it. */
  readonly timedOut: boolean
  /** A request was on it, its response not finished. */
  readonly withActiveRequest: boolean
}

/** A TLS client's dial also reports each connection's handshake here (tlsHandshake, tlsFailed: the cluster's ssl.*). */
export interface EndpointConnections extends TlsHandshakeReport {
  /**
   * Counts a connection as open (upstream_cx_total, _active, _http1_total or _http2_total) when the
   * cluster's max_connections admits one, or when `force` (the endpoint has none: Envoy always
   * allows one, or its pending requests would wait forever). Over the limit counts upstream_cx_overflow.
   */
  tryOpen(force: boolean, protocol?: 'http1' | 'http2'): boolean
  connected(connectMs: number): void
  /** Every opened connection ends here once, whether it was established or not. */
  closed(end: ConnectionEnd): void
  /** A request must wait for a connection: false = max_pending_requests is reached (upstream_rq_pending_overflow). */
  tryQueue(): boolean
  /** A queued request got its connection, failed with its connection, or was cancelled. */
  dequeued(how: 'served' | 'failed' | 'cancelled'): void
  received(bytes: number): void
  sent(bytes: number): void
  /** For clients that never see a connection (Bun's fetch): the one connection fact they learn. */
  connectFailed(): void
}

/** The cluster's implementation: one per endpoint, cached by the cluster. */
export function endpointConnections(endpoint: Endpoint, stats: ClusterStats, breakers: CircuitBreakers): EndpointConnections {
  const { connections, pendingRequests } = breakers
  const failedConnect = () => {
    stats.upstream_cx_connect_fail.inc()
    endpoint.cxConnectFail++
  }
  return {
    tryOpen(force, protocol = 'http1') {
      if (!connections.canCreate()) {
        stats.upstream_cx_overflow.inc()
        if (!force) return false
      }
      connections.inc()
      stats.upstream_cx_total.inc()
      if (protocol === 'http2') stats.upstream_cx_http2_total.inc()
      else stats.upstream_cx_http1_total.inc()
      stats.upstream_cx_active.inc()
      endpoint.cxTotal++
      endpoint.cxActive++
      return true
    },
    connected(connectMs) {
      stats.upstream_cx_connect_ms.record(connectMs)
    },
    closed(end) {
      connections.dec()
      stats.upstream_cx_active.dec()
      endpoint.cxActive--
      stats.upstream_cx_destroy.inc()
      if (end.local) stats.upstream_cx_destroy_local.inc()
      else stats.upstream_cx_destroy_remote.inc()
      if (end.withActiveRequest) {
        stats.upstream_cx_destroy_with_active_rq.inc()
        if (end.local) stats.upstream_cx_destroy_local_with_active_rq.inc()
        else stats.upstream_cx_destroy_remote_with_active_rq.inc()
      }
      if (end.connectFailed) {
        failedConnect()
        if (end.timedOut) stats.upstream_cx_connect_timeout.inc()
      }
      stats.upstream_cx_length_ms.record(end.lengthMs)
    },
    tryQueue() {
      if (!pendingRequests.canCreate()) {
        stats.upstream_rq_pending_overflow.inc()
        return false
      }
      pendingRequests.inc()
      stats.upstream_rq_pending_total.inc()
      stats.upstream_rq_pending_active.inc()
      return true
    },
    dequeued(how) {
      pendingRequests.dec()
      stats.upstream_rq_pending_active.dec()
      if (how === 'failed') stats.upstream_rq_pending_failure_eject.inc()
      else if (how === 'cancelled') stats.upstream_rq_cancelled.inc()
    },
    received(bytes) {
      stats.upstream_cx_rx_bytes_total.value += bytes
    },
    sent(bytes) {
      stats.upstream_cx_tx_bytes_total.value += bytes
    },
    connectFailed: failedConnect,
    tlsHandshake(handshake) {
      stats.ssl().tlsHandshake(handshake)
    },
    tlsFailed(failure) {
      stats.ssl().tlsFailed(failure)
    },
  }
}
