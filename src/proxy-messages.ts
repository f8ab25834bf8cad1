// What the proxy path reads of a downstream request and of a response: the parts of `Request` and
// `Response` it uses, so that a listener and the upstream client can hand it lighter objects (the
// byte-level listener's requests, the client's answer records) while the runtime's own satisfy
// them as they are. src/runtime.ts, the port, names them (FetchHandler, ListenerHandler, UpstreamFetch).

/**
 * What the proxy path reads of a response, upstream or its own: the part of a `Response` it uses,
 * so that edgeway's HTTP/1.1 client can hand the byte-level listener an answer without making a
 * Response (a `Response` satisfies it as it is). `headers` is a `Headers` or an object answering as
 * one (HeaderSnapshot), editable in place when the client made it. The optional fields are what the
 * client marks on its own Responses by symbol (src/upstream/whole-body.ts, hop-by-hop-free.ts): an
 * answer record carries them as fields, and the marks' readers read either.
 */
export interface ProxyResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
  readonly body: ReadableStream<Uint8Array> | null
  readonly bodyUsed: boolean
  arrayBuffer(): Promise<ArrayBuffer>
  /** The whole body, unread, held by the record (a Response carries it as its whole-body mark instead). */
  readonly wholeBody?: Uint8Array | undefined
  /** The head had no hop-by-hop field (a Response: its hop-by-hop-free mark). */
  readonly hopByHopFree?: boolean | undefined
}

/**
 * What the proxy path reads of a downstream request: the part of a `Request` it uses, so that a
 * listener can hand it something lighter than the runtime's Request (a served `Request` satisfies
 * it as it is). `headers` is a `Headers` or an object answering as one (HeaderSnapshot); `url` is
 * the absolute URL the runtime's server would give; `body` is null when the request has none;
 * `signal` aborts when the downstream goes away.
 */
export interface ProxyRequest {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  readonly body: ReadableStream<Uint8Array> | null
  readonly signal: AbortSignal
  arrayBuffer(): Promise<ArrayBuffer>
  /**
   * Set only by the byte-level listener, for a head its own parser refused: the path answers it as
   * its own 400/431 (local reply, counter, access log) and the listener then closes the connection.
   * A runtime's server answers such heads itself, so a served Request never has it.
   */
  readonly refused?: HeadRefusal
}

/** A refused request head: the status to answer, Envoy's response-code detail, why (RequestHeadError's). */
export type HeadRefusal = { readonly status: number; readonly code: string; readonly message: string }
