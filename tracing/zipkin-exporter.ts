// POSTs batches of spans to a Zipkin collector's /api/v2/spans as a JSON array.
// Our own exporter rather than @opentelemetry/exporter-zipkin: the stock one re-emits 64-bit trace ids
// as 32 hex, copies every resource attribute into each span's tags, tags `error` only when the status
// has a message, and posts with node:http and no timeout. Encoding is ~60 lines (zipkin-encode.ts)
// and sending is one POST, which behaves the same on Bun, Deno and Node.
// As a PartsExporter it encodes spans in parts while the batch processor collects them; a batch's
// body is then its parts joined, the same bytes as JSON.stringify over the whole batch.
// Given the proxy's own upstream client (the Runtime's upstreamFetch), an http:// collector gets the
// parts encoded into a reused buffer (export-body.ts) and written from it: no joined string, no
// fresh UTF-8 copy, no copy inside fetch (bench/README.md, stop 31). https:// collectors stay on
// fetch, which checks their certificate against the system's roots; the proxy's client has no such roots.

import { EXPORT_FAILED, EXPORT_SUCCESS, type ExportResult } from './export-result.ts'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { PartsExporter } from './bounded-batch-processor.ts'
import { encodeSpan } from './zipkin-encode.ts'
import { BodyBuffers } from './export-body.ts'
import type { ProxyResponse, UpstreamFetch } from '../src/runtime.ts'

export type ZipkinExporterOptions = {
  /** Full collector URL, e.g. http://127.0.0.1:9411/api/v2/spans. */
  url: string
  serviceName: string
  /** Aborts a POST the collector has not answered by then. */
  timeoutMs: number
  /** Injected so the proxy can pass the runtime adapter's fetch; defaults to the global one. */
  fetch?: typeof fetch
  /** The proxy's HTTP/1.1 client; used instead of fetch for http:// collector URLs. */
  upstreamFetch?: UpstreamFetch
  /** Sent as `user-agent`; absent: fetch's own (the HTTP/1.1 client sends none). */
  userAgent?: string
}

export class ZipkinExporter implements PartsExporter {
  readonly #opts: ZipkinExporterOptions
  readonly #fetch: typeof fetch
  readonly #upstream: UpstreamFetch | undefined
  readonly #buffers = new BodyBuffers()
  readonly #headers: Record<string, string>
  #stopped = false

  constructor(opts: ZipkinExporterOptions) {
    this.#opts = opts
    this.#fetch = opts.fetch ?? globalThis.fetch
    this.#upstream = opts.upstreamFetch && plainUrl(opts.url) ? opts.upstreamFetch : undefined
    this.#headers = opts.userAgent ? { 'content-type': 'application/json', 'user-agent': opts.userAgent } : { 'content-type': 'application/json' }
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#upstream !== undefined) return this.#sendBytes(() => [this.encodePart(spans)], done)
    this.#send(() => JSON.stringify(spans.map((s) => encodeSpan(s, this.#opts.serviceName))), done)
  }

  /** The spans as JSON array elements without the brackets ('' for none). */
  encodePart(spans: readonly ReadableSpan[]): string {
    return JSON.stringify(spans.map((s) => encodeSpan(s, this.#opts.serviceName))).slice(1, -1)
  }

  exportParts(parts: readonly string[], done: (result: ExportResult) => void): void {
    if (this.#upstream !== undefined) return this.#sendBytes(() => parts, done)
    this.#send(() => `[${parts.length === 1 ? parts[0] : parts.filter((part) => part !== '').join(',')}]`, done)
  }

  /** The parts encoded into a body buffer, which is kept for the next batch once this one was answered. */
  #sendBytes(parts: () => readonly string[], done: (result: ExportResult) => void): void {
    const buffer = this.#buffers.take()
    this.#send(
      () => buffer.encode(parts()),
      (result) => {
        // Answered: the client wrote the whole body before the answer's end (or destroyed the
        // connection). After a failure the buffer is not reused: a write may still hold a view of it.
        if (result.code === EXPORT_SUCCESS) this.#buffers.give(buffer)
        done(result)
      },
    )
  }

  /** `body` runs inside the POST's promise, so an encoding that throws is a failed export. */
  #send(body: () => string | Uint8Array<ArrayBuffer>, done: (result: ExportResult) => void): void {
    if (this.#stopped) return done({ code: EXPORT_FAILED, error: new Error('exporter is shut down') })
    this.#post(body).then(done, (error: unknown) =>
      done({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    )
  }

  async #post(body: () => string | Uint8Array<ArrayBuffer>): Promise<ExportResult> {
    const url = this.#opts.url
    const signal = AbortSignal.timeout(this.#opts.timeoutMs)
    const upstream = this.#upstream
    const res = upstream
      ? await upstream({ url, method: 'POST', headers: new Headers(this.#headers), body: body(), signal })
      : await this.#fetch(url, { method: 'POST', headers: this.#headers, body: body(), signal })
    await drainAnswer(res)
    if (res.status >= 200 && res.status < 300) return { code: EXPORT_SUCCESS }
    return { code: EXPORT_FAILED, error: new Error(`zipkin collector answered ${res.status}`) }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#stopped = true
  }
}

/** http:// without credentials in it: what the HTTP/1.1 client can dial (it sends no authorization). */
function plainUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' && parsed.username === '' && parsed.password === ''
  } catch {
    return false
  }
}

/** Past this the collector's answer is cancelled rather than read (it carries nothing we need). */
const MAX_ANSWER_BYTES = 64 * 1024

/**
 * Reads a short answer to the end so the connection can be reused, but never more than
 * MAX_ANSWER_BYTES: fetch inflates gzip answers, and a hostile or broken collector could answer
 * with a gzip bomb or an endless body inside the proxy process.
 */
async function drainAnswer(res: ProxyResponse): Promise<void> {
  if (!res.body) return
  const reader = res.body.getReader()
  let seen = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      seen += value.byteLength
      if (seen > MAX_ANSWER_BYTES) return void (await reader.cancel())
    }
  } catch {
    // A reset answer is no different from a drained one here.
  }
}
