// POSTs batches of spans to a Zipkin collector's /api/v2/spans as a JSON array.
// Our own exporter rather than @opentelemetry/exporter-zipkin: the stock one re-emits 64-bit trace ids
// as 32 hex, copies every resource attribute into each span's tags, tags `error` only when the status
// has a message, and posts with node:http and no timeout. Encoding is ~60 lines (zipkin-encode.ts)
// and sending is one fetch, which behaves the same on Bun, Deno and Node.
// As a PartsExporter it encodes spans in parts while the batch processor collects them; a batch's
// body is then its parts joined, the same bytes as JSON.stringify over the whole batch.

import { EXPORT_FAILED, EXPORT_SUCCESS, type ExportResult } from './export-result.ts'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { PartsExporter } from './bounded-batch-processor.ts'
import { encodeSpan } from './zipkin-encode.ts'

export type ZipkinExporterOptions = {
  /** Full collector URL, e.g. http://127.0.0.1:9411/api/v2/spans. */
  url: string
  serviceName: string
  /** Aborts a POST the collector has not answered by then. */
  timeoutMs: number
  /** Injected so the proxy can pass the runtime adapter's fetch; defaults to the global one. */
  fetch?: typeof fetch
}

export class ZipkinExporter implements PartsExporter {
  readonly #opts: ZipkinExporterOptions
  readonly #fetch: typeof fetch
  #stopped = false

  constructor(opts: ZipkinExporterOptions) {
    this.#opts = opts
    this.#fetch = opts.fetch ?? globalThis.fetch
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#send(() => JSON.stringify(spans.map((s) => encodeSpan(s, this.#opts.serviceName))), done)
  }

  /** The spans as JSON array elements without the brackets ('' for none). */
  encodePart(spans: readonly ReadableSpan[]): string {
    return JSON.stringify(spans.map((s) => encodeSpan(s, this.#opts.serviceName))).slice(1, -1)
  }

  exportParts(parts: readonly string[], done: (result: ExportResult) => void): void {
    this.#send(() => `[${parts.length === 1 ? parts[0] : parts.filter((part) => part !== '').join(',')}]`, done)
  }

  /** `body` runs inside the POST's promise, so an encoding that throws is a failed export. */
  #send(body: () => string, done: (result: ExportResult) => void): void {
    if (this.#stopped) return done({ code: EXPORT_FAILED, error: new Error('exporter is shut down') })
    this.#post(body).then(done, (error: unknown) =>
      done({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    )
  }

  async #post(body: () => string): Promise<ExportResult> {
    const res = await this.#fetch(this.#opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
      signal: AbortSignal.timeout(this.#opts.timeoutMs),
    })
    await drainAnswer(res)
    if (res.ok) return { code: EXPORT_SUCCESS }
    return { code: EXPORT_FAILED, error: new Error(`zipkin collector answered ${res.status}`) }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#stopped = true
  }
}

/** Past this the collector's answer is cancelled rather than read (it carries nothing we need). */
const MAX_ANSWER_BYTES = 64 * 1024

/**
 * Reads a short answer to the end so the connection can be reused, but never more than
 * MAX_ANSWER_BYTES: fetch inflates gzip answers, and a hostile or broken collector could answer
 * with a gzip bomb or an endless body inside the proxy process.
 */
async function drainAnswer(res: Response): Promise<void> {
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
