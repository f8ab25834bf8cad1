// A downstream request as the byte-level listener hands it to the proxy path: a ProxyRequest made
// from a parsed head (RequestHeadRecord) without the runtime's Request, URL or Headers. The headers
// are a HeaderSnapshot taken straight from the head's flat fields; the body is a stream only when
// the head declares one; the signal aborts when the downstream connection goes away mid-request.

import type { HeadRefusal, ProxyRequest } from '../runtime.ts'
import { HeaderSnapshot } from './header-snapshot.ts'
import type { RequestBodySource } from './request-body-source.ts'

const NO_BODY = new ArrayBuffer(0)

export class ByteRequest implements ProxyRequest {
  readonly method: string
  readonly url: string
  /** A HeaderSnapshot, typed as the Headers it answers as (the Deno serve adapter hands it so too). */
  readonly headers: Headers
  readonly body: ReadableStream<Uint8Array> | null
  readonly refused: HeadRefusal | undefined
  readonly #source: RequestBodySource | undefined
  /**
   * Made on first read: one AbortController per request that asks (the path reads it to follow the
   * client on a forwarded request, ~0.3 µs on Bun); light9's "one per connection, renewed after it
   * fired" would save that on keep-alive connections and is left for when it measures.
   */
  #controller: AbortController | undefined
  #abortedBy: unknown = undefined
  #aborted = false

  constructor(method: string, url: string, headers: Headers, source: RequestBodySource | undefined, refused?: HeadRefusal) {
    this.method = method
    this.url = url
    this.headers = headers
    this.#source = source
    this.body = source?.stream ?? null
    this.refused = refused
  }

  /** A request from a head the parser took: its fields as a snapshot. */
  static of(method: string, url: string, fields: readonly string[], body: RequestBodySource | undefined): ByteRequest {
    return new ByteRequest(method, url, HeaderSnapshot.fromFields(fields) as unknown as Headers, body)
  }

  /**
   * Stands for a head the parser refused, so the proxy path answers it as its own 400/431 (the
   * local reply, the counter, the access-log line). `line`: the head's method and target when its
   * request line was valid (a 431 for its fields: logged as today's), else `-` (the access log's
   * unknown). No fields: none of them is trusted.
   */
  static refusal(refused: HeadRefusal, line?: { readonly method: string; readonly target: string }): ByteRequest {
    return new ByteRequest(line?.method ?? '-', line?.target ?? '-', HeaderSnapshot.fromFields([]) as unknown as Headers, undefined, refused)
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#abortedBy)
    }
    return this.#controller.signal
  }

  /** The downstream connection closed before the response was written. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#abortedBy = reason
    this.#controller?.abort(reason)
  }

  /** The source joins a body that has all arrived at once (the path's retry buffer), without a read a piece. */
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#source === undefined ? Promise.resolve(NO_BODY) : this.#source.arrayBuffer()
  }
}
