// The only contract between edgeway and the JavaScript runtime; the adapters in src/adapter/
// (bun.ts, deno.ts) implement it, everything else receives a Runtime and stays portable.

import type { EndpointConnections } from './upstream/endpoint-connections.ts'
import type { ProxyRequest, ProxyResponse } from './proxy-messages.ts'

// The messages the port's handlers and upstream clients pass: defined beside it, named here.
export type { HeadRefusal, ProxyRequest, ProxyResponse } from './proxy-messages.ts'

/** What the runtime knows about the downstream peer. */
export type ConnInfo = {
  readonly remoteAddress: string
  readonly remotePort: number
  /** An HTTP/2 request's :authority when the runtime left Host out (Deno); undefined otherwise. */
  readonly authority?: string
  /** The request's HTTP version where the runtime lets it be known; undefined = HTTP/1.1 is assumed (Bun's AUTO listeners cannot tell). */
  readonly protocol?: 'HTTP/1.1' | 'HTTP/2' | 'HTTP/3'
  /**
   * Accepts this request's WebSocket upgrade (HTTP/1.1 only) and hands its events to `bridge`.
   * Returns the response to hand back to the runtime: Deno's 101, or a placeholder Bun ignores
   * (it answers an accepted upgrade itself).
   */
  readonly upgradeWebSocket?: (bridge: WebSocketBridge, protocol: string | undefined) => Response
}

/** One end of a proxied WebSocket: messages as text or bytes, close with its code and reason. */
export interface WebSocketPeer {
  send(data: string | Uint8Array): void
  /** Bytes sent but not yet handed to the kernel: neither runtime can pause a socket's reads, so the bridge bounds this. */
  bufferedAmount(): number
  /** 1005/1006 (no code, abnormal) close without a code. */
  close(code?: number, reason?: string): void
}

/** What the downstream side of an upgraded stream reports, in order: open, messages, one close. */
export type WebSocketBridge = {
  open(peer: WebSocketPeer): void
  message(data: string | Uint8Array): void
  close(code: number, reason: string): void
}

/** An upstream WebSocket that is open; its events go to the handlers set with listen(). */
export interface UpstreamWebSocket extends WebSocketPeer {
  /** The subprotocol the upstream chose ('' for none). */
  readonly protocol: string
  listen(handlers: { message(data: string | Uint8Array): void; close(code: number, reason: string): void }): void
}

/** The upstream answered the upgrade with this status instead of 101. */
export class WebSocketRefused extends Error {
  constructor(readonly status: number) {
    super(`upstream answered the WebSocket upgrade with ${status}`)
    this.name = 'WebSocketRefused'
  }
}

/**
 * What a listener's socket calls. A proxy listener's handler may answer with a ProxyResponse that is
 * not a Response (an upstream answer record, src/upstream/upstream-answer.ts, made only under the
 * byte listener switch): a runtime's server turns it into one at its boundary (toResponse).
 */
export type FetchHandler = (request: Request, conn: ConnInfo) => ProxyResponse | Promise<ProxyResponse>

/** A proxy listener's handler: takes any ProxyRequest, so it is a FetchHandler too. */
export type ListenerHandler = (request: ProxyRequest, conn: ConnInfo) => ProxyResponse | Promise<ProxyResponse>

export type ServeOptions = {
  readonly hostname: string
  readonly port: number
  /** Seconds a connection may stay silent; must exceed the longest upstream timeout. */
  readonly idleTimeoutSeconds: number
  readonly maxRequestBodyBytes: number
  /**
   * The listener's own header limit (max_request_headers_kb): the runtime's parser must admit
   * heads past it so edgeway answers (and counts, and logs) the 431 itself.
   */
  readonly maxRequestHeaderBytes?: number
  /**
   * The listener's max_request_headers_count: a server that parses heads itself (the byte-level
   * listener) refuses more field lines with 431, as Envoy's codec does; a runtime's server ignores it.
   */
  readonly maxRequestHeaderFields?: number
  /** Share the port with sibling worker processes (SO_REUSEPORT, Linux). */
  readonly reusePort: boolean
  /**
   * A proxy listener's socket, whose handler takes any ProxyRequest (a ListenerHandler): only such a
   * socket may be served by the byte-level listener. Absent: the admin listener or another app
   * that needs the runtime's Request.
   */
  readonly proxy?: boolean
  /** Some route of the listener may upgrade a request to WebSocket (through the runtime server's own upgrade, so such a listener stays on that server). */
  readonly webSocket?: boolean
  /** Terminate TLS on this socket; absent = plain text. */
  readonly tls?: ServeTls
  /** Which HTTP versions to speak; absent = HTTP/1.1 only. */
  readonly protocols?: ServeProtocols
}

export type ServeTls = {
  /** Clients that send no SNI name, or one no certificate names, get the first certificate without server names (else the first). */
  readonly certificates: readonly { readonly certificateChainPem: string; readonly privateKeyPem: string; readonly serverNames: readonly string[] }[]
  readonly minVersion: 'TLSv1_2' | 'TLSv1_3'
  readonly maxVersion: 'TLSv1_2' | 'TLSv1_3'
  /** Refuse the handshake without a client certificate the CA verifies. */
  readonly clientCaPem?: string
}

export type ServeProtocols = {
  readonly http1: boolean
  /** ALPN h2 over TLS; prior-knowledge h2c on plain text. */
  readonly http2: boolean
  /** QUIC on the same UDP port (TLS only); HTTP/1.1 and HTTP/2 answers advertise it in alt-svc. */
  readonly http3: boolean
}

/** What this runtime's server can do; config features beyond it are refused at load with one line each. */
export type ServeSupport = {
  /** Several certificates chosen by SNI. */
  readonly sniCertificates: boolean
  readonly clientCertificates: boolean
  /** tls_minimum/maximum_protocol_version other than the runtime's 1.2-1.3. */
  readonly tlsVersionBounds: boolean
  /** HTTP/2 can be turned off (codec HTTP1, ALPN without h2) or HTTP/1.1 off (codec HTTP2). */
  readonly protocolChoice: boolean
  readonly http3: boolean
  /**
   * Header field lines the server's own HTTP/1.1 parser admits in one request head; past them it
   * answers itself (no log line, no counter), so a listener's max_request_headers_count above this
   * could never be reached: refused at load (listener/runtime-support.ts).
   */
  readonly maxRequestHeaderFields: number
}

export interface ServerHandle {
  /** Bound port; differs from the requested one when port 0 asked for an ephemeral port. */
  readonly port: number
  /** Stops accepting connections; resolves when in-flight requests have finished or `force`. */
  close(force?: boolean): Promise<void>
}

/** One upstream HTTP exchange; `url` already names the endpoint's IP and port. */
export type UpstreamRequest = {
  readonly url: string
  /** The url's origin-form target (path and query), when the caller has it apart: a client then need not cut it out of `url`. */
  readonly path?: string
  readonly method: string
  /**
   * Sent as is, including `host` (the adapter makes the runtime honour it). Every field the
   * request carries: where `fields` splits them, reading this merges its block in, once.
   */
  readonly headers: Headers
  /** The same fields in two parts, for a client that writes its own head (the HTTP/1.1 client); absent = `headers` only. */
  readonly fields?: SplitFields
  readonly body: BodyInit | null
  readonly signal: AbortSignal
  /** Bound on the TCP connect (the cluster's connect_timeout); runtimes whose fetch has no connect phase ignore it. */
  readonly connectTimeoutMs?: number
  /** How the cluster is reached (TLS, HTTP/2); absent = plain HTTP/1.1. One object per cluster, so clients may key pools by it. */
  readonly transport?: UpstreamTransport
  /**
   * The cluster's connection breakers and stats for this endpoint: the client's pool for this
   * cluster and endpoint, its limits and what it reports. Absent (health checks): unlimited, uncounted.
   */
  readonly connections?: EndpointConnections
}

/**
 * An upstream request's fields as the proxy keeps them: the client's Headers as edited, then a
 * block of the proxy's own fields (x-request-id, x-forwarded-proto, the expected timeout, B3...)
 * whose names `base` does not hold, so neither a native set() nor a second native walk is spent
 * on them. The block is `prepared` bytes (`name: value\r\n`... for a route's constant fields),
 * then `pairs` (name, value, name, value...). Once UpstreamRequest.headers has been read, the
 * block is in `base` and both are empty.
 */
export interface SplitFields {
  readonly base: Headers
  readonly prepared: Uint8Array | null
  readonly pairs: readonly string[]
}

/** A cluster's transport_socket and protocol options, as the upstream clients need them. */
export type UpstreamTransport = {
  /** Originate TLS (Envoy's UpstreamTlsContext); absent = plain text. */
  readonly tls?: UpstreamTls
  /** HTTP/2: ALPN h2 over TLS, prior-knowledge h2c without it. */
  readonly http2: boolean
  /** Envoy's http2_protocol_options that the HTTP/2 client applies; each absent = the client's default. */
  readonly http2Options?: Http2Options
}

export type Http2Options = {
  /** Streams per session: at the limit the client opens another session (Envoy's pool does). */
  readonly maxConcurrentStreams?: number
  /** SETTINGS_INITIAL_WINDOW_SIZE the client advertises: each stream's receive window. */
  readonly initialStreamWindowSize?: number
  /** The session's (connection's) receive window, raised by a WINDOW_UPDATE after the preface. */
  readonly initialConnectionWindowSize?: number
}

export type UpstreamTls = {
  /** SNI sent in the ClientHello; absent = none. */
  readonly serverName?: string
  /** Verify the upstream's chain against these roots; absent = no verification (Envoy without a validation_context). */
  readonly caPem?: string
  /** The certificate must carry a DNS/IP subject alt name one of these match; empty = the chain alone is checked (as Envoy). */
  readonly subjectAltNames: readonly SubjectAltNameMatcher[]
  /** Client certificate for upstreams that ask for one. */
  readonly certificateChainPem?: string
  readonly privateKeyPem?: string
}

/** One of Envoy's match_subject_alt_names string matchers (DNS, IP and URI SANs). */
export type SubjectAltNameMatcher = { readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains'; readonly value: string }

/**
 * Why an upstream exchange failed before a response arrived. `protocol`: the upstream's bytes were
 * not valid HTTP (Envoy's protocol error: a reset, counted as upstream_cx_protocol_error).
 * `local`: the request was refused before any byte left (a header or body the runtime will not
 * send, a length that is not a non-negative integer): not the endpoint's fault, never retried.
 * `overflow`: the cluster's max_pending_requests refused to queue the request for a connection
 * (503 UO, never retried, as Envoy).
 */
export type UpstreamFailure = 'connect' | 'reset' | 'protocol' | 'timeout' | 'aborted' | 'local' | 'overflow'

export type UpstreamFetch = (request: UpstreamRequest) => Promise<ProxyResponse>

export interface Runtime {
  readonly name: 'bun' | 'deno'
  readonly version: string
  serve(options: ServeOptions, handler: FetchHandler): Promise<ServerHandle>
  readonly serveSupport: ServeSupport
  /** Opens a WebSocket to `url` (ws://ip:port/path); rejects with WebSocketRefused or a connect error. */
  openWebSocket(url: string, options: { readonly headers: Headers; readonly protocols: readonly string[] }): Promise<UpstreamWebSocket>
  /**
   * fetch() that keeps bodies encoded when it can (Bun) and reports `decoded` when the runtime
   * always decompresses (Deno), so the proxy can drop content-encoding/content-length.
   */
  readonly upstreamFetch: UpstreamFetch
  /** True when upstreamFetch hands back decompressed bodies. */
  readonly decodesBodies: boolean
  /**
   * True when the proxy may edit a served Request's headers and a fetched Response's headers in
   * place (Bun; Deno through the serve adapter's editable snapshot of its immutable request headers).
   */
  readonly headersEditable: boolean
  /**
   * True when JSON.stringify's fast path takes only strings of their own (V8, so Deno): a slice
   * (SlicedString) or a concatenation of 13 characters or more (ConsString) anywhere in a span
   * part sends the whole part to the slow serializer, twice the CPU a span. Then the request id and
   * the url tag are made as sequential strings, at a few ns more each; on Bun slices and
   * concatenations stay, being the cheaper (bench/README.md, stop 30 deno13).
   */
  readonly sequentialStrings: boolean
  /** Maps a runtime error thrown by upstreamFetch to its cause. */
  classifyUpstreamError(error: unknown): UpstreamFailure
  readTextFile(path: string): Promise<string>
  env(name: string): string | undefined
  envAll(): Record<string, string>
  args(): string[]
  onShutdownSignal(listener: (signal: string) => void): void
  /** SIGHUP: reload the config (nginx's habit) instead of dying. */
  onReloadSignal(listener: () => void): void
  exit(code: number): never
  /** Resident set size in bytes, for /server_info and /memory. */
  memoryRss(): number
  hardwareConcurrency(): number
  /**
   * Stdout and stderr written without blocking where the runtime allows it (Bun): a reader that
   * falls behind then fills the pipe and FdSink queues what gets EAGAIN, instead of every request
   * stopping in write(). Deno's stdio stays blocking (the proxy waits for the reader).
   */
  nonBlockingStdio(): void
}
