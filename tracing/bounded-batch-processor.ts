// Batches finished sampled spans for an exporter, with a bounded queue whose overflow is counted.
// Written instead of sdk-trace-base's BatchSpanProcessor because that one only diag.warns when it
// drops a span: the proxy must count drops (tracing.zipkin.reports_dropped), and must never block or
// throw into the request path, which onEnd here guarantees by only pushing to an array. Encoding
// happens in the exporter, per batch, off the request path.
// After an export that failed at once (collector refusing connections or answering an error), the
// next batch waits for the timer instead of going as soon as it is full: a collector that is down
// gets one attempt per scheduled delay, and what arrives meanwhile past the queue bound is dropped
// and counted, not encoded into JSON that cannot be sent (bench/README, Memory: the soak).

import { EXPORT_FAILED, EXPORT_SUCCESS, type ExportResult } from './export-result.ts'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
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

export class BoundedBatchProcessor implements SpanSink {
  readonly #queue: SpanRecord[] = []
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
  ) {}

  onEnd(span: SpanRecord): void {
    if (!span.sampled) return
    if (this.#stopped || this.#queue.length >= this.opts.maxQueueSize) {
      this.stats.reports_dropped.inc()
      return
    }
    this.#queue.push(span)
    if (this.#queue.length >= this.opts.maxExportBatchSize && !this.#backingOff) this.#sendNext()
    else this.#arm()
  }

  /** Sends everything queued now, waiting for the batch already in flight; never rejects. */
  async forceFlush(): Promise<void> {
    // Bounded by what is queued when the flush starts, so steady traffic cannot keep it looping:
    // each batch takes at most two turns (start it, wait for it), plus the one already in flight.
    let turns = 2 * (Math.ceil(this.#queue.length / this.opts.maxExportBatchSize) + 1)
    while (turns-- > 0) {
      if (this.#inFlight) await this.#inFlight
      else if (this.#queue.length === 0) return
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
    if (this.#inFlight || this.#queue.length === 0) return
    this.#disarm()
    const batch = this.#queue.splice(0, this.opts.maxExportBatchSize)
    this.#inFlight = this.#export(batch).then((outcome) => {
      this.#inFlight = undefined
      // A timed-out export has waited exportTimeoutMs already: the next batch may go.
      this.#backingOff = outcome === 'failed'
      if ((this.#queue.length >= this.opts.maxExportBatchSize && !this.#backingOff) || (this.#stopped && this.#queue.length > 0)) this.#sendNext()
      else if (this.#queue.length > 0) this.#arm()
    })
  }

  /** Resolves once the batch is sent, failed or timed out; counts the outcome once. */
  #export(batch: SpanRecord[]): Promise<'sent' | 'failed' | 'timed out'> {
    return new Promise((resolve) => {
      let settled = false
      const settle = (result: ExportResult, timedOut = false): void => {
        if (settled) return
        settled = true
        clearTimeout(timeout)
        if (result.code === EXPORT_SUCCESS) {
          this.stats.spans_sent.inc(batch.length)
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
        this.exporter.export(batch, settle)
      } catch (error) {
        settle({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) })
      }
    })
  }
}
