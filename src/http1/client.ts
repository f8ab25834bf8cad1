// An UpstreamFetch over raw HTTP/1.1 connections with a keep-alive pool per endpoint, on any
// runtime: the adapter supplies `dial` (src/adapter/bun-transport.ts, deno-transport.ts).
// A reused idle connection that fails before any response byte (the keep-alive race) is retried
// once on a fresh connection, but only when that cannot repeat an effect: the request never left,
// or it is idempotent and its body can be sent again (RFC 9110 §9.2.2).

import type { UpstreamFetch, UpstreamRequest } from '../runtime.ts'
import { connect } from './connect.ts'
import { ConnectionPool } from './connection-pool.ts'
import { exchange, type ExchangeRequest } from './exchange.ts'
import { frameBody, type FramedBody } from './request-body.ts'
import type { Dial, Transport } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

export type Http1ClientOptions = {
  readonly dial: Dial
  /** Below common upstream keep-alive timeouts (Node 5 s, Bun 10 s) to make the race rare. */
  readonly idleTimeoutMs?: number
  readonly maxIdlePerEndpoint?: number
  readonly now?: () => number
}

export type Http1Client = {
  readonly fetch: UpstreamFetch
  /** Idle pooled connections, for tests and /clusters-style introspection. */
  idleConnections(endpointKey?: string): number
  close(): void
}

type Pooled = Transport & { close(): void }

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  const pool = new ConnectionPool<Pooled>({
    idleTimeoutMs: options.idleTimeoutMs ?? 4_000,
    maxIdlePerKey: options.maxIdlePerEndpoint ?? 256,
    now: options.now ?? (() => performance.now()),
  })

  const release = (key: string, transport: Pooled) => {
    // While idle, any byte or close means the connection is done for.
    transport.events = {
      data: () => pool.remove(key, transport) && transport.destroy(),
      drain: () => {},
      close: () => void pool.remove(key, transport),
    }
    pool.release(key, transport)
  }

  const acquire = (key: string): Pooled | undefined => {
    for (let idle = pool.acquire(key); idle; idle = pool.acquire(key)) if (!idle.closed) return idle
    return undefined
  }

  const send = (transport: Pooled, key: string, request: ExchangeRequest, reused: boolean) =>
    exchange(transport, request, reused, (reusable) => {
      if (reusable) release(key, transport)
    })

  const sendOn = async (key: string, host: string, port: number, request: ExchangeRequest, connectTimeoutMs: number | undefined): Promise<Response> => {
    const { signal } = request
    const idle = acquire(key)
    if (idle) {
      try {
        return await send(idle, key, request, true)
      } catch (error) {
        if (!(error instanceof UpstreamError && error.stale && !signal.aborted && mayResend(request, error))) throw error
      }
    }
    const fresh = (await connect(options.dial, host, port, { timeoutMs: connectTimeoutMs ?? Infinity, signal })) as Pooled
    fresh.close = fresh.destroy
    return send(fresh, key, request, false)
  }

  const fetch: UpstreamFetch = (upstream) => {
    const { signal } = upstream
    if (signal.aborted) return Promise.reject(abortReason(signal))
    let framed: FramedBody | Promise<FramedBody>
    let endpoint: ReturnType<typeof parseUrl>
    try {
      endpoint = parseUrl(upstream.url)
      framed = frameBody(upstream.headers, upstream.body)
    } catch (error) {
      return Promise.reject(error)
    }
    const { key, host, port, target } = endpoint
    const request = (body: FramedBody): ExchangeRequest => ({ method: upstream.method, target, authority: key, body, signal })
    // The common bodies (none, bytes, a stream) go out in this very call, before any await.
    return framed instanceof Promise
      ? framed.then((body) => sendOn(key, host, port, request(body), upstream.connectTimeoutMs))
      : sendOn(key, host, port, request(framed), upstream.connectTimeoutMs)
  }

  return {
    fetch,
    idleConnections: (key) => pool.idleCount(key),
    close: () => pool.closeAll(),
  }
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
