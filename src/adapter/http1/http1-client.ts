// An UpstreamFetch over raw HTTP/1.1 connections with a keep-alive pool per endpoint. Runtime-
// neutral: the runtime supplies `connect`. A reused idle connection that the upstream closed
// (the keep-alive race) is retried once on a fresh connection when the body can be replayed.

import type { UpstreamFetch, UpstreamRequest } from '../../runtime.ts'
import { ConnectionPool } from './connection-pool.ts'
import { exchange, type ExchangeRequest } from './exchange.ts'
import type { Connect, Transport } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

export type Http1ClientOptions = {
  readonly connect: Connect
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

export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  const pool = new ConnectionPool<Pooled>({
    idleTimeoutMs: options.idleTimeoutMs ?? 4_000,
    maxIdlePerKey: options.maxIdlePerEndpoint ?? 256,
    now: options.now ?? (() => performance.now()),
  })

  const release = (key: string, transport: Pooled) => {
    // While idle, any byte or close means the connection is done for.
    transport.handler = {
      data: () => pool.remove(key, transport) && transport.destroy(),
      drain: () => {},
      close: () => void pool.remove(key, transport),
    }
    pool.release(key, transport)
  }

  const send = (transport: Pooled, key: string, request: ExchangeRequest, reused: boolean) =>
    exchange(transport, request, reused, (reusable) => {
      if (reusable) release(key, transport)
    })

  const fetch: UpstreamFetch = (upstream) => {
    const { signal } = upstream
    if (signal.aborted) return Promise.reject(abortReason(signal))
    const { key, host, port, target } = parseUrl(upstream.url)
    const request = exchangeRequest(upstream, target, key)
    // The common bodies (none, bytes, a stream) go out in this very call, before any await.
    return request instanceof Promise ? request.then((r) => sendOn(key, host, port, r, upstream.connectTimeoutMs)) : sendOn(key, host, port, request, upstream.connectTimeoutMs)
  }

  const sendOn = async (key: string, host: string, port: number, request: ExchangeRequest, connectTimeoutMs: number | undefined): Promise<Response> => {
    const { signal } = request
    const idle = pool.acquire(key)
    if (idle) {
      try {
        return await send(idle, key, request, true)
      } catch (error) {
        const retry = error instanceof UpstreamError && error.stale && !(request.body instanceof ReadableStream) && !signal.aborted
        if (!retry) throw error
      }
    }
    const fresh = (await options.connect(host, port, { timeoutMs: connectTimeoutMs ?? Infinity, signal })) as Pooled
    fresh.close = fresh.destroy
    return send(fresh, key, request, false)
  }

  return {
    fetch,
    idleConnections: (key) => pool.idleCount(key),
    close: () => pool.closeAll(),
  }
}

/** `http://<ip>:<port><target>` as the attempt builds it; `[v6]` brackets are stripped for connect. */
export function parseUrl(url: string): { key: string; host: string; port: number; target: string } {
  if (!url.startsWith('http://')) throw new TypeError(`the HTTP/1.1 client speaks http:// only: ${url}`)
  const slash = url.indexOf('/', 7)
  const key = slash < 0 ? url.slice(7) : url.slice(7, slash)
  const target = slash < 0 ? '/' : url.slice(slash)
  const colon = key.lastIndexOf(':')
  const hasPort = colon > key.lastIndexOf(']')
  const rawHost = hasPort ? key.slice(0, colon) : key
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost
  return { key, host, port: hasPort ? Number(key.slice(colon + 1)) : 80, target }
}

function exchangeRequest(upstream: UpstreamRequest, target: string, authority: string): ExchangeRequest | Promise<ExchangeRequest> {
  const base = { method: upstream.method, target, authority, headers: upstream.headers, signal: upstream.signal }
  const body = upstream.body
  if (body === null || body === undefined) return { ...base, body: null, streamLength: undefined }
  if (body instanceof Uint8Array) return { ...base, body, streamLength: undefined }
  if (body instanceof ReadableStream) {
    const declared = upstream.headers.get('content-length')
    const length = declared === null || !/^\d+$/.test(declared) ? undefined : Number(declared)
    return { ...base, body: body as ReadableStream<Uint8Array>, streamLength: length }
  }
  // Strings, ArrayBuffers, Blobs, forms: let a Response encode them (and name their content type).
  const encoded = new Response(body as BodyInit)
  const type = encoded.headers.get('content-type')
  const headers = type && !upstream.headers.has('content-type') ? new Headers(upstream.headers) : upstream.headers
  if (headers !== upstream.headers) headers.set('content-type', type!)
  return encoded.arrayBuffer().then((buffer) => ({ ...base, headers, body: new Uint8Array(buffer), streamLength: undefined }))
}
