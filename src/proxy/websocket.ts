// The upgrade phase: a routed request asking for a WebSocket (Envoy's upgrade_configs websocket)
// opens one to an endpoint of the route's cluster, then the two sockets are bridged message by
// message, close codes included. A route without websocket answers 403 (Envoy), never a plain GET.

import { Buffer } from 'node:buffer'
import type { ListenerConfig, RouteConfig } from '../config/model.ts'
import { connectFailure, noHealthyUpstream, ProxyError } from '../errors.ts'
import { WebSocketRefused, type ConnInfo, type ProxyRequest, type Runtime, type UpstreamWebSocket, type WebSocketPeer } from '../runtime.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { ended as requestEnded } from './respond.ts'
import type { RoutedRequest } from './route-phase.ts'

/**
 * Bytes one side may hold unsent before the stream is closed (1013, try again later). Envoy stops
 * reading from the faster side; the runtimes' WebSocket APIs cannot pause reads, so bounding the
 * buffer is what keeps a client that never reads from growing the proxy's memory, and closing beats
 * Bun's own answer at its limit, which is to drop messages silently. 16 MiB, Bun's default
 * backpressure limit and largest message.
 */
export const WEBSOCKET_BUFFER_LIMIT_BYTES = 16 * 1024 * 1024
const BACKPRESSURE_CLOSE = 1013

export type UpgradeContext = {
  readonly openWebSocket: Runtime['openWebSocket']
  readonly now: () => number
}

/** Envoy's upgrade_failed: the client asked for an upgrade this route does not allow. */
export const upgradeFailed = () => new ProxyError(403, 'upgrade_failed', '', '')

/** The upgrade this request asks for (lower-cased), or undefined. h2c is not an upgrade edgeway proxies: it is ignored. */
export function requestedUpgrade(request: ProxyRequest): string | undefined {
  return upgradeOf(request.headers.get('upgrade'))
}

/** requestedUpgrade from the Upgrade field's value already read (null: absent). */
export function upgradeOf(upgrade: string | null): string | undefined {
  if (!upgrade) return undefined
  const kind = upgrade.trim().toLowerCase()
  return kind === 'h2c' ? undefined : kind
}

export function websocketAllowed(route: RouteConfig, listener: ListenerConfig): boolean {
  return route.websocket ?? listener.websocket
}

// The runtime's client makes its own handshake: the client's key, version and extensions stay here.
const HANDSHAKE_HEADERS = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']

/** Opens the upstream socket and accepts the downstream one; a ProxyError when either cannot happen. */
export async function upgradePhase(request: ProxyRequest, conn: ConnInfo, routed: RoutedRequest, info: RequestInfo, observer: RequestObserver, ctx: UpgradeContext): Promise<Response | ProxyError> {
  if (!conn.upgradeWebSocket) return upgradeFailed()
  // pick() counts upstream_cx_none_healthy itself when there is no endpoint.
  const endpoint = routed.cluster.pick()
  if (!endpoint) return noHealthyUpstream()
  const clusterStats = info.upstreamClusterStats!
  info.upstreamHost = endpoint.key
  info.attempts = 1
  const protocols = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim()).filter(Boolean)
  const headers = new Headers(routed.fields.headers())
  for (const name of HANDSHAKE_HEADERS) headers.delete(name)
  clusterStats.upstream_cx_total.inc()
  clusterStats.upstream_rq_total.inc()
  let upstream: UpstreamWebSocket
  try {
    upstream = await ctx.openWebSocket(`ws://${endpoint.key}${routed.path}`, { headers, protocols })
  } catch (error) {
    if (error instanceof WebSocketRefused) {
      clusterStats[`upstream_rq_${Math.floor(error.status / 100)}xx` as 'upstream_rq_4xx'].inc()
      // Envoy passes the upstream's answer through; the runtimes' clients keep only its status.
      return new ProxyError(error.status, 'upgrade_refused_by_upstream', '', '')
    }
    clusterStats.upstream_cx_connect_fail.inc()
    return connectFailure(error)
  }
  clusterStats.upstream_rq_1xx.inc()
  clusterStats.upstream_cx_active.inc()
  observer.downstream(info, 'downstream_cx_upgrades_total')
  info.status = 101
  info.upstreamServiceTimeMs = Math.round(ctx.now() - info.startedAt)
  observer.responded(info)
  return conn.upgradeWebSocket(bridge(upstream, info, observer, ctx, () => clusterStats.upstream_cx_active.dec()), upstream.protocol || undefined)
}

/** Messages both ways; the first close from either side closes the other and ends the stream once. */
function bridge(upstream: UpstreamWebSocket, info: RequestInfo, observer: RequestObserver, ctx: UpgradeContext, closed: () => void) {
  let downstream: WebSocketPeer | undefined
  // Upstream messages that arrive before the downstream socket is open wait here.
  const early: (string | Uint8Array)[] = []
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    closed()
    requestEnded(info, ctx.now())
    observer.done(info)
  }
  // A side that cannot keep up: both are closed with 1013 (what each already holds is still sent).
  const overflowed = (peer: WebSocketPeer) => {
    if (peer.bufferedAmount() <= WEBSOCKET_BUFFER_LIMIT_BYTES) return false
    info.details = 'websocket_buffer_limit_exceeded'
    downstream?.close(BACKPRESSURE_CLOSE, 'backpressure limit')
    upstream.close(BACKPRESSURE_CLOSE, 'backpressure limit')
    end()
    return true
  }
  upstream.listen({
    message(data) {
      if (ended) return
      info.bytesSent += size(data)
      if (downstream) {
        downstream.send(data)
        overflowed(downstream)
      } else early.push(data)
    },
    close(code, reason) {
      downstream?.close(code, reason)
      end()
    },
  })
  return {
    open(peer: WebSocketPeer) {
      downstream = peer
      for (const data of early.splice(0)) peer.send(data)
      if (ended) peer.close()
    },
    message(data: string | Uint8Array) {
      if (ended) return
      info.bytesReceived += size(data)
      upstream.send(data)
      overflowed(upstream)
    },
    close(code: number, reason: string) {
      upstream.close(code, reason)
      end()
    },
  }
}

function size(data: string | Uint8Array): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}
