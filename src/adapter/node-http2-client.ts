// An UpstreamFetch over node:http2 for HTTP/2 clusters: prior-knowledge h2c on plain text (the
// seeds' front proxy talks h2c to its sidecars), and h2 over TLS where the runtime's fetch cannot
// name the SNI apart from the address it connects to (Deno). One session per endpoint, shared by
// its concurrent requests, and another when every session has max_concurrent_streams streams open
// (Envoy's HTTP/2 pool); a session that closes, errs or gets GOAWAY is replaced on next use.
// Each session is counted as one connection of its cluster endpoint (upstream_cx_*, http2_total;
// the first always opened, as Envoy's HTTP/2 pool has one per endpoint; more only under
// max_connections), over TLS its handshake in ssl.* too, and requests that wait for a session still connecting are pending requests
// under max_pending_requests. initial_stream_window_size and initial_connection_window_size are
// the windows the client advertises (SETTINGS, then a WINDOW_UPDATE on the session).

import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import type { UpstreamFetch, UpstreamTransport } from '../runtime.ts'
import type { EndpointConnections } from '../upstream/endpoint-connections.ts'
import { frameBody, type FramedBody } from '../http1/request-body.ts'
import { abortReason, UpstreamError } from '../http1/upstream-error.ts'
import { parseUrl } from '../http1/client.ts'
import type { TLSSocket } from 'node:tls'
import { handshakeOf } from './tls-handshake.ts'
import { tlsClientOptions, tlsFailureReason, tlsFailureStat } from './upstream-tls-options.ts'

/** Connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2); Host becomes :authority. */
const CONNECTION_FIELDS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te', 'http2-settings'])
/** An idle session is closed after this, as an upstream would (Envoy's idle_timeout is longer; sessions are cheap to reopen). */
const SESSION_IDLE_MS = 60_000

export type Http2Client = { readonly fetch: UpstreamFetch; close(): void }

/** One session of an endpoint: `open` counts the streams given to it, reserved before the session is ready. */
type Slot = {
  readonly opening: Promise<ClientHttp2Session>
  readonly active: { open: number; closeLocally(): void }
  /** Still connecting: a request given to it waits as a pending request. */
  connecting: boolean
}

export function createNodeHttp2Client(transport: UpstreamTransport): Http2Client {
  /** Each endpoint's sessions: one, or more when max_concurrent_streams fills them. */
  const pools = new Map<string, Slot[]>()
  const scheme = transport.tls ? 'https' : 'http'
  const http2 = transport.http2Options ?? {}
  const streamLimit = http2.maxConcurrentStreams ?? Number.POSITIVE_INFINITY
  const settings = {
    ...(http2.initialStreamWindowSize !== undefined && { initialWindowSize: http2.initialStreamWindowSize }),
    ...(http2.maxConcurrentStreams !== undefined && { maxConcurrentStreams: http2.maxConcurrentStreams }),
  }
  const options = { ...(transport.tls && { ...tlsClientOptions(transport.tls), ALPNProtocols: ['h2'] }), ...(Object.keys(settings).length && { settings }) }

  const forget = (key: string, slot: Slot) => {
    const slots = pools.get(key)
    const at = slots?.indexOf(slot) ?? -1
    if (at === -1) return
    slots!.splice(at, 1)
    if (slots!.length === 0) pools.delete(key)
  }

  /** A new session, or undefined when it is not the endpoint's first and max_connections is reached. */
  const open = (key: string, timeoutMs: number, connections: EndpointConnections | undefined, first: boolean): Slot | undefined => {
    // The first session opens even past max_connections, as Envoy's HTTP/2 pool always has one.
    if (connections && !connections.tryOpen(first, 'http2')) return undefined
    const startedMs = performance.now()
    let resolveSession!: (session: ClientHttp2Session) => void
    let rejectSession!: (error: unknown) => void
    const opening = new Promise<ClientHttp2Session>((resolve, reject) => ((resolveSession = resolve), (rejectSession = reject)))
    opening.catch(() => {})
    const session = connect(`${scheme}://${key}`, options)
    let established = false
    let local = false
    let timedOut = false
    const slot: Slot = { opening, active: { open: 0, closeLocally: () => void ((local = true), session.close()) }, connecting: true }
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          local = timedOut = true
          session.destroy()
          rejectSession(new UpstreamError('connect', 'ConnectTimeout', `connect to ${key} timed out after ${timeoutMs} ms`))
        }, Math.max(1, timeoutMs))
      : undefined
    session.once('connect', () => {
      clearTimeout(timer)
      established = true
      slot.connecting = false
      connections?.connected(performance.now() - startedMs)
      if (transport.tls) connections?.tlsHandshake(handshakeOf(session.socket as TLSSocket))
      // Envoy's initial_connection_window_size: the session's own receive window (a WINDOW_UPDATE on stream 0).
      if (http2.initialConnectionWindowSize !== undefined) session.setLocalWindowSize(http2.initialConnectionWindowSize)
      session.setTimeout(SESSION_IDLE_MS, slot.active.closeLocally)
      resolveSession(session)
    })
    // 'close' comes once, after an error, a GOAWAY, the idle close or a destroy.
    session.once('close', () => {
      const lengthMs = performance.now() - startedMs
      connections?.closed({ lengthMs, local, connectFailed: !established, timedOut, withActiveRequest: slot.active.open > 0 })
    })
    session.on('error', (error: Error & { code?: string }) => {
      clearTimeout(timer)
      slot.connecting = false
      forget(key, slot)
      const failure = established ? undefined : tlsFailureStat(error)
      if (failure) connections?.tlsFailed(failure)
      const reason = tlsFailureReason(error)
      rejectSession(new UpstreamError('connect', error.code ?? 'ConnectFailed', `connect to ${key} failed: ${error.message}`, { cause: reason ? Object.assign(error, { transportFailureReason: reason }) : error }))
    })
    session.once('close', () => forget(key, slot))
    session.once('goaway', () => forget(key, slot))
    const slots = pools.get(key)
    if (slots) slots.push(slot)
    else pools.set(key, [slot])
    return slot
  }

  const fetch: UpstreamFetch = async (upstream) => {
    const { signal } = upstream
    if (signal.aborted) throw abortReason(signal)
    const { key, target } = parseUrl(upstream.url)
    const body = await frameBody(upstream.headers, upstream.body)
    const fields = body.headers ?? upstream.headers
    const { connections } = upstream
    const slots = pools.get(key)
    // A session with a free stream; none: another session (Envoy's pool at max_concurrent_streams).
    let slot = slots?.find((s) => s.active.open < streamLimit)
    const pending = connections !== undefined && (slot === undefined || slot.connecting)
    if (pending && !connections.tryQueue()) throw new UpstreamError('overflow', 'PendingOverflow', `max_pending_requests reached for ${key}`)
    // At max_connections no further session opens: the least busy one takes the stream beyond its limit.
    slot ??= open(key, upstream.connectTimeoutMs ?? Infinity, connections, !slots?.length) ?? slots!.reduce((a, b) => (b.active.open < a.active.open ? b : a))
    slot.active.open++
    let session: ClientHttp2Session
    try {
      session = await Promise.race([slot.opening, aborted(signal)])
      if (pending) connections.dequeued('served')
    } catch (error) {
      slot.active.open--
      if (pending) connections.dequeued(signal.aborted ? 'cancelled' : 'failed')
      throw error
    }
    if (session.closed || session.destroyed) forget(key, slot)
    const headers: OutgoingHttpHeaders = {
      ':method': upstream.method,
      ':path': target,
      ':scheme': scheme,
      ':authority': fields.get('host') ?? key,
    }
    for (const [name, value] of fields) if (!CONNECTION_FIELDS.has(name) || (name === 'te' && value === 'trailers')) headers[name] = value
    let stream: ClientHttp2Stream
    try {
      stream = session.request(headers, { endStream: body.bytes === null && body.stream === null })
    } catch (error) {
      slot.active.open--
      forget(key, slot)
      throw new UpstreamError('reset', 'SessionClosed', `HTTP/2 session to ${key} could not open a stream: ${(error as Error).message}`, { cause: error, unsent: true })
    }
    const active = slot.active
    stream.once('close', () => active.open--)
    return respond(stream, body, upstream.method, signal, key)
  }

  return {
    fetch,
    close: () => {
      for (const slots of pools.values()) for (const slot of slots) void slot.opening.then(() => slot.active.closeLocally(), () => {})
      pools.clear()
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
