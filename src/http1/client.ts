// An UpstreamFetch over raw HTTP/1.1 connections with a keep-alive pool per endpoint, on any
// runtime: the adapter supplies `dial` (src/adapter/bun-transport.ts, deno-transport.ts).
// A reused idle connection that fails before any response byte (the keep-alive race) is retried
// once on a fresh connection, but only when that cannot repeat an effect: the request never left,
// or it is idempotent and its body can be sent again (RFC 9110 §9.2.2).

import type { UpstreamFetch } from '../runtime.ts'
import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { ConnectionPool } from './connection-pool.ts'
import type { Lease, PoolTarget } from './endpoint-pool.ts'
import type { BodyStreams } from './body-stream.ts'
import { exchange, type ExchangeRequest } from './exchange.ts'
import type { PooledConnection } from './pooled-connection.ts'
import { frameBody, type FramedBody } from './request-body.ts'
import type { Dial } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

export type Http1ClientOptions = {
  readonly dial: Dial
  /** Below common upstream keep-alive timeouts (Node 5 s, Bun 10 s) to make the race rare. */
  readonly idleTimeoutMs?: number
  readonly maxIdlePerEndpoint?: number
  readonly now?: () => number
  /** The stream a streamed response body is read through (body-stream.ts); the standard one by default. */
  readonly bodyStreams?: BodyStreams
}

export type Http1Client = {
  readonly fetch: UpstreamFetch
  /** Idle pooled connections, for tests and /clusters-style introspection. */
  idleConnections(endpointKey?: string): number
  close(): void
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  const pool = new ConnectionPool({
    dial: options.dial,
    idleTimeoutMs: options.idleTimeoutMs ?? 4_000,
    maxIdlePerEndpoint: options.maxIdlePerEndpoint ?? 256,
    now: options.now ?? (() => performance.now()),
  })

  const { bodyStreams } = options
  const send = (connection: PooledConnection, request: ExchangeRequest, reused: boolean) => {
    // A waiter served just after its client left: hand the connection on instead of using it.
    if (request.signal.aborted) {
      connection.release()
      return Promise.reject(abortReason(request.signal))
    }
    return exchange(connection, request, reused, connection, bodyStreams)
  }

  const sendOn = async (target: PoolTarget, request: ExchangeRequest, connectTimeoutMs: number, connections: EndpointConnections | undefined): Promise<Response> => {
    const { signal } = request
    const acquired = pool.acquire(target, connections, connectTimeoutMs, signal)
    // An idle connection is used in this very call: the common bodies go out before any await.
    const lease: Lease = acquired instanceof Promise ? await acquired : acquired
    if (!lease.reused) return send(lease.connection, request, false)
    try {
      return await send(lease.connection, request, true)
    } catch (error) {
      if (!(error instanceof UpstreamError && error.stale && !signal.aborted && mayResend(request, error))) throw error
    }
    const fresh = await pool.acquire(target, connections, connectTimeoutMs, signal, true)
    return send(fresh.connection, request, fresh.reused)
  }

  const fetch: UpstreamFetch = (upstream) => {
    const { signal } = upstream
    if (signal.aborted) return Promise.reject(abortReason(signal))
    let framed: FramedBody | Promise<FramedBody>
    let target: ReturnType<typeof parseUrl>
    try {
      target = parseUrl(upstream.url)
      framed = frameBody(upstream.headers, upstream.body)
    } catch (error) {
      return Promise.reject(error)
    }
    const connectTimeoutMs = upstream.connectTimeoutMs ?? Infinity
    if (framed instanceof Promise) return framed.then((body) => sendOn(target, exchangeRequest(upstream.method, target, body, signal), connectTimeoutMs, upstream.connections))
    return sendOn(target, exchangeRequest(upstream.method, target, framed, signal), connectTimeoutMs, upstream.connections)
  }

  return {
    fetch,
    idleConnections: (key) => pool.idleCount(key),
    close: () => pool.closeAll(),
  }
}

function exchangeRequest(method: string, target: ReturnType<typeof parseUrl>, body: FramedBody, signal: AbortSignal): ExchangeRequest {
  return { method, target: target.target, authority: target.key, body, signal }
}

/** A stream was consumed by the first try; a non-idempotent request may have been acted on. */
function mayResend(request: ExchangeRequest, error: UpstreamError): boolean {
  if (request.body.stream) return false
  return error.unsent || IDEMPOTENT.has(request.method)
}

/** `http://<ip>:<port><target>` as the attempt builds it; `[v6]` brackets are stripped for dial. */
export function parseUrl(url: string): { key: string; host: string; port: number; target: string } {
  if (!url.startsWith('http://')) throw new TypeError(`the HTTP/1.1 client speaks http:// only: ${url}`)
  const slash = url.indexOf('/', 7)
  const key = slash < 0 ? url.slice(7) : url.slice(7, slash)
  const target = slash < 0 ? '/' : url.slice(slash)
  const colon = key.lastIndexOf(':')
  const hasPort = colon > key.lastIndexOf(']')
  const rawHost = hasPort ? key.slice(0, colon) : key
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost
  const port = hasPort ? Number(key.slice(colon + 1)) : 80
  if (!Number.isInteger(port) || port < 1 || port > 65535 || host === '') throw new TypeError(`not an endpoint URL: ${url}`)
  return { key, host, port, target }
}
