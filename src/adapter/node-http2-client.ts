// An UpstreamFetch over node:http2 for HTTP/2 clusters: prior-knowledge h2c on plain text (the
// seeds' front proxy talks h2c to its sidecars), and h2 over TLS where the runtime's fetch cannot
// name the SNI apart from the address it connects to (Deno). One session per endpoint, shared by
// its concurrent requests; a session that closes, errs or gets GOAWAY is replaced on next use.
// Each session is counted as one connection of its cluster endpoint (upstream_cx_*, http2_total;
// always opened, as Envoy's HTTP/2 pool opens one per endpoint), and requests that wait for a
// session still connecting are pending requests under max_pending_requests.

import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import type { UpstreamFetch, UpstreamTransport } from '../runtime.ts'
import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { frameBody, type FramedBody } from '../http1/request-body.ts'
import { abortReason, UpstreamError } from '../http1/upstream-error.ts'
import { parseUrl } from '../http1/client.ts'
import { tlsClientOptions, tlsFailureReason } from './upstream-tls-options.ts'

/** Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2); Host becomes :authority. */
const CONNECTION_FIELDS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te', 'http2-settings'])
/** An idle session is closed after this, as an upstream would (Envoy's idle_timeout is longer; sessions are cheap to reopen). */
const SESSION_IDLE_MS = 60_000

export type Http2Client = { readonly fetch: UpstreamFetch; close(): void }

export function createNodeHttp2Client(transport: UpstreamTransport): Http2Client {
  const sessions = new Map<string, Promise<ClientHttp2Session>>()
  /** Keys whose session is still connecting: requests for them wait as pending requests. */
  const connecting = new Set<string>()
  /** Streams open on each session, so a session's end can say whether it cut a request. */
  const streams = new WeakMap<ClientHttp2Session, { open: number; closeLocally(): void }>()
  const scheme = transport.tls ? 'https' : 'http'
  const options = transport.tls ? { ...tlsClientOptions(transport.tls), ALPNProtocols: ['h2'] } : {}

  const open = (key: string, timeoutMs: number, connections: EndpointConnections | undefined): Promise<ClientHttp2Session> => {
    connections?.tryOpen(true, 'http2')
    const startedMs = performance.now()
    const opening = new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = connect(`${scheme}://${key}`, options)
      let established = false
      let local = false
      let timedOut = false
      const active = { open: 0, closeLocally: () => void ((local = true), session.close()) }
      streams.set(session, active)
      const forget = () => {
        connecting.delete(key)
        if (sessions.get(key) === opening) sessions.delete(key)
      }
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            local = timedOut = true
            session.destroy()
            reject(new UpstreamError('connect', 'ConnectTimeout', `connect to ${key} timed out after ${timeoutMs} ms`))
          }, Math.max(1, timeoutMs))
        : undefined
      session.once('connect', () => {
        clearTimeout(timer)
        established = true
        connecting.delete(key)
        connections?.connected(performance.now() - startedMs)
        session.setTimeout(SESSION_IDLE_MS, active.closeLocally)
        resolve(session)
      })
      // 'close' comes once, after an error, a GOAWAY, the idle close or a destroy.
      session.once('close', () => {
        const lengthMs = performance.now() - startedMs
        connections?.closed({ lengthMs, local, connectFailed: !established, timedOut, withActiveRequest: active.open > 0 })
      })
      session.on('error', (error: Error & { code?: string }) => {
        clearTimeout(timer)
        forget()
        const reason = tlsFailureReason(error)
        reject(new UpstreamError('connect', error.code ?? 'ConnectFailed', `connect to ${key} failed: ${error.message}`, { cause: reason ? Object.assign(error, { transportFailureReason: reason }) : error }))
      })
      session.once('close', forget)
      session.once('goaway', forget)
    })
    opening.catch(() => {})
    sessions.set(key, opening)
    return opening
  }

  const fetch: UpstreamFetch = async (upstream) => {
    const { signal } = upstream
    if (signal.aborted) throw abortReason(signal)
    const { key, target } = parseUrl(upstream.url)
    const body = await frameBody(upstream.headers, upstream.body)
    const { connections } = upstream
    const existing = sessions.get(key)
    const pending = connections !== undefined && (existing === undefined || connecting.has(key))
    if (pending && !connections.tryQueue()) throw new UpstreamError('overflow', 'PendingOverflow', `max_pending_requests reached for ${key}`)
    let session: ClientHttp2Session
    try {
      if (existing === undefined) connecting.add(key)
      session = await Promise.race([existing ?? open(key, upstream.connectTimeoutMs ?? Infinity, connections), aborted(signal)])
      if (pending) connections.dequeued('served')
    } catch (error) {
      if (pending) connections.dequeued(signal.aborted ? 'cancelled' : 'failed')
      throw error
    }
    if (session.closed || session.destroyed) sessions.delete(key)
    const headers: OutgoingHttpHeaders = {
      ':method': upstream.method,
      ':path': target,
      ':scheme': scheme,
      ':authority': body.headers.get('host') ?? key,
    }
    for (const [name, value] of body.headers) if (!CONNECTION_FIELDS.has(name) || (name === 'te' && value === 'trailers')) headers[name] = value
    let stream: ClientHttp2Stream
    try {
      stream = session.request(headers, { endStream: body.bytes === null && body.stream === null })
      const active = streams.get(session)
      if (active) {
        active.open++
        stream.once('close', () => active.open--)
      }
    } catch (error) {
      sessions.delete(key)
      throw new UpstreamError('reset', 'SessionClosed', `HTTP/2 session to ${key} could not open a stream: ${(error as Error).message}`, { cause: error, unsent: true })
    }
    return respond(stream, body, upstream.method, signal, key)
  }

  return {
    fetch,
    close: () => {
      for (const opening of sessions.values()) void opening.then((s) => (streams.get(s)?.closeLocally() ?? s.close()), () => {})
      sessions.clear()
    },
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true }))
}

function respond(stream: ClientHttp2Stream, body: FramedBody, method: string, signal: AbortSignal, key: string): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let answered = false
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined
    const onAbort = () => {
      stream.close(constants.NGHTTP2_CANCEL)
      if (!answered) reject(abortReason(signal))
      else controller?.error(abortReason(signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    const done = () => signal.removeEventListener('abort', onAbort)
    stream.on('error', (error: Error & { code?: string }) => {
      done()
      // ERR_HTTP2_ERROR is nghttp2 itself refusing what the upstream sent ("Protocol error": bad
      // frames, e.g. an HTTP/1.1-only upstream answering the preface with a 400): Envoy's codec
      // protocol error, not a reset the upstream chose (RST_STREAM/GOAWAY arrive as other codes).
      const kind = error.code === 'ERR_HTTP2_ERROR' ? 'protocol' : 'reset'
      const failure = new UpstreamError(kind, error.code ?? 'StreamReset', `HTTP/2 stream to ${key} failed: ${error.message}`, { cause: error })
      if (!answered) reject(failure)
      else controller?.error(failure)
    })
    stream.once('close', () => {
      done()
      if (!answered) reject(new UpstreamError('reset', 'StreamReset', `HTTP/2 stream to ${key} closed before a response (code ${stream.rstCode})`))
    })
    stream.once('response', (head: IncomingHttpHeaders, flags: number) => {
      answered = true
      const status = Number(head[':status'])
      const headers = new Headers()
      for (const [name, value] of Object.entries(head)) {
        if (name.startsWith(':') || value === undefined) continue
        if (Array.isArray(value)) for (const v of value) headers.append(name, v)
        else headers.set(name, String(value))
      }
      const empty = method === 'HEAD' || status === 204 || status === 304 || (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0
      if (empty) {
        stream.resume()
        resolve(new Response(null, { status, headers }))
        return
      }
      const readable = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c
          stream.on('data', (chunk: Buffer) => {
            c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
            if ((c.desiredSize ?? 1) <= 0) stream.pause()
          })
          stream.once('end', () => {
            done()
            c.close()
          })
        },
        pull: () => void stream.resume(),
        cancel: () => {
          done()
          stream.close(constants.NGHTTP2_CANCEL)
        },
      }, { highWaterMark: 4 })
      resolve(new Response(readable, { status, headers }))
    })
    if (body.bytes) stream.end(body.bytes)
    else if (body.stream) void pump(body.stream, stream)
  })
}

/** Streams a request body with backpressure; a body that breaks resets the stream. */
async function pump(source: ReadableStream<Uint8Array>, stream: ClientHttp2Stream): Promise<void> {
  const reader = source.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      if (stream.destroyed) return void reader.cancel().catch(() => {})
      if (!stream.write(value)) await new Promise((resolve) => stream.once('drain', resolve))
    }
    stream.end()
  } catch {
    stream.close(constants.NGHTTP2_CANCEL)
  }
}
