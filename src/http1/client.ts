// An UpstreamFetch over raw HTTP/1.1 connections with a keep-alive pool per endpoint, on any
// runtime: the adapter supplies `dial` (src/adapter/bun-transport.ts, deno-transport.ts).
// A reused idle connection that fails before any response byte (the keep-alive race) is retried
// once on a fresh connection, but only when that cannot repeat an effect: the request never left,
// or it is idempotent and its body can be sent again (RFC 9110 §9.2.2).

import type { ProxyResponse, UpstreamRequest } from '../runtime.ts'
import { ConnectionPool } from './connection-pool.ts'
import type { PoolTarget } from './endpoint-pool.ts'
import { queuedBodyStream, type BodyStreams } from './body-stream.ts'
import { exchange } from './exchange.ts'
import type { ExchangeRequest, ExchangeShared, StaleResend } from './exchange-request.ts'
import type { FieldBlock } from './head-bytes.ts'
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
  /**
   * A whole-body answer comes back as an UpstreamAnswer record (src/upstream/upstream-answer.ts),
   * not a Response: for the byte-level listener, which writes its fields as they are. Every
   * listener that takes the answers must turn records into Responses itself (to-response.ts).
   */
  readonly answerRecords?: boolean
}

/** `R`: what `fetch` answers with: a Response, unless the client was asked for answer records. */
export type Http1Client<R extends ProxyResponse = Response> = {
  readonly fetch: (request: UpstreamRequest) => Promise<R>
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

  const send = (connection: PooledConnection, request: ClientRequest, reused: boolean) => {
    // A waiter served just after its client left: hand the connection on instead of using it.
    if (request.signal.aborted) {
      connection.release()
      return Promise.reject(abortReason(request.signal))
    }
    return exchange(connection, request, reused, connection, shared)
  }

  // A reused connection that failed before any response byte: once more on a fresh one, when that
  // cannot repeat an effect. The exchange asks this instead of rejecting, so the common path (an
  // idle connection, used in this very call) needs no async frame to catch the failure.
  const stale: StaleResend = {
    resend: (request: ClientRequest, error: UpstreamError) => {
      if (request.resent || request.signal.aborted || !mayResend(request, error)) return undefined
      request.resent = true
      return wait(request).then((fresh) => send(fresh.connection, request, fresh.reused))
    },
  }

  const shared: ExchangeShared = { streams: options.bodyStreams ?? queuedBodyStream, stale, records: options.answerRecords === true }

  /** A connection for `request` once one is free or dialled (the pool's limits, the connect timeout). */
  const wait = (request: ClientRequest) => pool.wait(request.endpoint, request.upstream.connections, request.upstream.connectTimeoutMs ?? Infinity, request.signal)

  const sendOn = (request: ClientRequest): Promise<ProxyResponse> => {
    // An idle connection is used in this very call: the common bodies go out before any await.
    const idle = pool.takeIdle(request.endpoint, request.upstream.connections)
    if (idle) return send(idle, request, true)
    return wait(request).then((lease) => send(lease.connection, request, lease.reused))
  }

  const fetch = (upstream: UpstreamRequest): Promise<ProxyResponse> => {
    const { signal } = upstream
    if (signal.aborted) return Promise.reject(abortReason(signal))
    let framed: FramedBody | Promise<FramedBody>
    let target: PoolTarget
    let path: string
    const { url, connections, fields } = upstream
    const headers = fields === undefined ? upstream.headers : fields.base
    const block = fields ?? null
    try {
      const known = pool.knownTarget(url, connections)
      if (known) {
        target = known
        // The attempt hands its path over apart (UpstreamRequest.path): nothing to cut out of the URL
        // (an empty one, as a rewrite may leave, goes out as `/`, the URL's reading).
        path = upstream.path || (url.length === 7 + known.key.length ? '/' : url.slice(7 + known.key.length))
      } else {
        const parsed = parseUrl(url)
        target = parsed
        path = parsed.target
      }
      // The fields as the proxy keeps them, base and block apart: reading `headers` would merge them.
      framed = frameBody(headers, upstream.body)
    } catch (error) {
      return Promise.reject(error)
    }
    if (framed instanceof Promise) return framed.then((body) => sendOn(clientRequest(upstream, target, path, body.headers ?? headers, body, block)))
    return sendOn(clientRequest(upstream, target, path, framed.headers ?? headers, framed, block))
  }

  return {
    // Responses unless answerRecords: then the caller takes the fetch as an UpstreamFetch (exchange.ts #respond).
    fetch: fetch as Http1Client['fetch'],
    idleConnections: (key) => pool.idleCount(key),
    close: () => pool.closeAll(),
  }
}

/** The exchange's request with what a resend on a fresh connection needs. */
type ClientRequest = ExchangeRequest & {
  readonly endpoint: PoolTarget
  /** What the pool needs for a wait (its connections, the connect timeout): read there, not copied here. */
  readonly upstream: UpstreamRequest
  /** Sent again after a stale connection: not a second time. */
  resent: boolean
}

function clientRequest(upstream: UpstreamRequest, endpoint: PoolTarget, target: string, headers: Headers, body: FramedBody, block: FieldBlock | null): ClientRequest {
  return { method: upstream.method, target, endpoint, headers, body, block, signal: upstream.signal, upstream, resent: false }
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
