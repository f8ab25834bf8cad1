// Batches finished sampled spans for an exporter, with a bounded queue whose overflow is counted.
// Written instead of sdk-trace-base's BatchSpanProcessor because that one only diag.warns when it
// drops a span: the proxy must count drops (tracing.zipkin.reports_dropped), and must never block or
// throw into the request path, which onEnd here guarantees by pushing to an array, encoding at most
// one part (what that throws is caught and counted) and starting at most one export.
// After an export that failed at once (collector refusing connections or answering an error), the
// next batch waits for the timer instead of going as soon as it is full: a collector that is down
// gets one attempt per scheduled delay, and what arrives meanwhile past the queue bound is dropped
// and counted, not encoded into JSON that cannot be sent (bench/README, Memory: the soak).
// An exporter that encodes ahead (PartsExporter: ZipkinExporter) gets the spans in parts as they end,
// while their fields are still in cache, and only the encoded parts wait for the batch: on Bun,
// encode + JSON.stringify of spans that ended just before cost ~0.6 µs a span of CPU against ~0.9
// for a 2048-span batch gone cold (bench/README.md, stop 27); a part is one string to keep where
// its spans were ~10 objects each, and the event loop stalls for one part, not for a whole batch.

import { EXPORT_FAILED, EXPORT_SUCCESS, type ExportResult } from './export-result.ts'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { TracingStats } from '../src/stats/stats-store.ts'
import type { SpanRecord, SpanSink } from './span-record.ts'

export type BatchOptions = {
  /** Spans waiting beyond this many are dropped and counted. */
  maxQueueSize: number
  /** A batch this large is sent at once; smaller ones wait for the timer. */
  maxExportBatchSize: number
  scheduledDelayMs: number
  /** An export not settled by then counts as failed and the next batch may go. */
  exportTimeoutMs: number
}

type Timer = ReturnType<typeof setTimeout>

/** An exporter that can encode spans before their batch goes; the processor then sends parts, not spans. */
export interface PartsExporter extends SpanExporter {
  /** Some spans as one piece of a batch (ZipkinExporter: JSON array elements, no brackets). May throw. */
  encodePart(spans: readonly ReadableSpan[]): string
  /** Sends parts made by encodePart, in their order, as one batch. */
  exportParts(parts: readonly string[], done: (result: ExportResult) => void): void
}

/**
 * Spans in a part at most. Small parts pay JSON.stringify's fixed costs (and past its 8 KB first
 * buffer, ~13 spans, a restart) more often; large ones let their first spans go cold (README, stop 27).
 */
const PART_SPANS = 256

/** The largest divisor of the batch size up to PART_SPANS, so that whole parts fill a batch exactly. */
export function partSizeFor(maxExportBatchSize: number): number {
  for (let size = Math.min(PART_SPANS, maxExportBatchSize); size > 1; size--) if (maxExportBatchSize % size === 0) return size
  return 1
}

function encodesAhead(exporter: SpanExporter): exporter is PartsExporter {
  const e = exporter as Partial<PartsExporter>
  return typeof e.encodePart === 'function' && typeof e.exportParts === 'function'
}

export class BoundedBatchProcessor implements SpanSink {
  /** Spans not encoded yet; every one is newer than every part. */
  readonly #queue: SpanRecord[] = []
  /** Encoded ahead, oldest first, each of #partSize spans. */
  readonly #parts: string[] = []
  readonly #partsExporter: PartsExporter | undefined
  readonly #partSize: number
  #timer: Timer | undefined
  /** At most one POST at a time: a slow collector backs spans up into the bounded queue. */
  #inFlight: Promise<void> | undefined
  #stopped = false
  /** The last export failed before its timeout: batches wait for the timer, not for a full batch. */
  #backingOff = false

  constructor(
    private readonly exporter: SpanExporter,
    private readonly opts: BatchOptions,
    private readonly stats: TracingStats,
  ) {
    this.#partsExporter = encodesAhead(exporter) ? exporter : undefined
    this.#partSize = partSizeFor(opts.maxExportBatchSize)
  }

  /** Spans waiting, encoded or not: what the queue bound and the batch size count. */
  get #queued(): number {
    return this.#parts.length * this.#partSize + this.#queue.length
  }

  onEnd(span: SpanRecord): void {
    if (!span.sampled) return
    if (this.#stopped || this.#queued >= this.opts.maxQueueSize) {
      this.stats.reports_dropped.inc()
      return
    }
    this.#queue.push(span)
    if (this.#partsExporter && this.#queue.length >= this.#partSize) this.#encodePart(this.#queue.splice(0, this.#partSize), this.#parts)
    if (this.#queued >= this.opts.maxExportBatchSize && !this.#backingOff) this.#sendNext()
    else this.#arm()
  }

  /** Sends everything queued now, waiting for the batch already in flight; never rejects. */
  async forceFlush(): Promise<void> {
    // Bounded by what is queued when the flush starts, so steady traffic cannot keep it looping:
    // each batch takes at most two turns (start it, wait for it), plus the one already in flight.
    let turns = 2 * (Math.ceil(this.#queued / this.opts.maxExportBatchSize) + 1)
    while (turns-- > 0) {
      if (this.#inFlight) await this.#inFlight
      else if (this.#queued === 0) return
      else this.#sendNext()
    }
  }

  async shutdown(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#disarm()
    await this.forceFlush()
    await this.exporter.shutdown().catch(() => undefined)
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      // The retry after a failure: if it fails too, the next one waits for the timer again.
      this.#backingOff = false
      this.#sendNext()
    }, this.opts.scheduledDelayMs)
    // A pending flush must not keep the process alive; shutdown flushes explicitly.
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #sendNext(): void {
    if (this.#inFlight || this.#queued === 0) return
    this.#disarm()
    const max = this.opts.maxExportBatchSize
    let count: number
    let send: (done: (result: ExportResult) => void) => void
    const exporter = this.#partsExporter
    if (exporter) {
      // Whole parts first (they are the oldest), then spans not yet encoded up to the batch size.
      const parts = this.#parts.splice(0, max / this.#partSize)
      count = parts.length * this.#partSize
      if (count < max && this.#queue.length > 0) count += this.#encodePart(this.#queue.splice(0, max - count), parts)
      if (parts.length === 0) return void (this.#queued > 0 && this.#arm())
      send = (done) => exporter.exportParts(parts, done)
    } else {
      const batch = this.#queue.splice(0, max)
      count = batch.length
      send = (done) => this.exporter.export(batch, done)
    }
    this.#inFlight = this.#export(count, send).then((outcome) => {
      this.#inFlight = undefined
      // A timed-out export has waited exportTimeoutMs already: the next batch may go.
      this.#backingOff = outcome === 'failed'
      if ((this.#queued >= max && !this.#backingOff) || (this.#stopped && this.#queued > 0)) this.#sendNext()
      else if (this.#queued > 0) this.#arm()
    })
  }

  /** Appends the spans' part to `parts` and returns how many spans it holds; spans it cannot encode are dropped and counted. */
  #encodePart(spans: SpanRecord[], parts: string[]): number {
    try {
      parts.push(this.#partsExporter!.encodePart(spans))
      return spans.length
    } catch {
      this.stats.reports_dropped.inc(spans.length)
      return 0
    }
  }

  /** Resolves once the batch of `count` spans is sent, failed or timed out; counts the outcome once. */
  #export(count: number, send: (done: (result: ExportResult) => void) => void): Promise<'sent' | 'failed' | 'timed out'> {
    return new Promise((resolve) => {
      let settled = false
      const settle = (result: ExportResult, timedOut = false): void => {
        if (settled) return
        settled = true
        clearTimeout(timeout)
        if (result.code === EXPORT_SUCCESS) {
          this.stats.spans_sent.inc(count)
          this.stats.reports_sent.inc()
        } else {
          this.stats.reports_failed.inc()
        }
        resolve(result.code === EXPORT_SUCCESS ? 'sent' : timedOut ? 'timed out' : 'failed')
      }
      const timeout = setTimeout(
        () => settle({ code: EXPORT_FAILED, error: new Error('export timed out') }, true),
        this.opts.exportTimeoutMs,
      )
      try {
        send(settle)
      } catch (error) {
        settle({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) })
      }
    })
  }
}
