import { describe, expect, test } from 'bun:test'
import { SpanKind } from '@opentelemetry/api'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { StatsStore } from '../src/stats/stats-store.ts'
import { BoundedBatchProcessor, partSizeFor, type BatchOptions, type PartsExporter } from './bounded-batch-processor.ts'
import { SpanRecord } from './span-record.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const resource = resourceFromAttributes({})
/** A finished record with no sink of its own: the test hands it to the processor. */
const span = (sampled = true) => {
  const record = new SpanRecord('s', SpanKind.CLIENT, '1'.repeat(16), '2'.repeat(16), undefined, sampled, false, 1, undefined, resource)
  record.end(2)
  return record
}

/** An exporter whose batches wait until the test answers them. */
function heldExporter() {
  const pending: { spans: ReadableSpan[]; done: (r: ExportResult) => void }[] = []
  const exporter: SpanExporter = {
    export: (spans, done) => void pending.push({ spans, done }),
    shutdown: async () => {},
  }
  return { exporter, pending }
}

const opts = (o: Partial<BatchOptions> = {}): BatchOptions => ({
  maxQueueSize: 4,
  maxExportBatchSize: 2,
  scheduledDelayMs: 60_000,
  exportTimeoutMs: 60_000,
  ...o,
})

describe('BoundedBatchProcessor', () => {
  test('a full batch goes at once; one export at a time; successes count spans and reports', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = heldExporter()
    const p = new BoundedBatchProcessor(exporter, opts(), stats)
    p.onEnd(span())
    expect(pending).toHaveLength(0)
    p.onEnd(span())
    expect(pending).toHaveLength(1)
    p.onEnd(span())
    p.onEnd(span())
    expect(pending).toHaveLength(1) // second batch waits for the first
    pending[0]!.done({ code: ExportResultCode.SUCCESS })
    await sleep(0)
    expect(pending).toHaveLength(2)
    pending[1]!.done({ code: ExportResultCode.FAILED })
    await sleep(0)
    expect([stats.spans_sent.value, stats.reports_sent.value, stats.reports_failed.value]).toEqual([2, 1, 1])
  })

  test('unsampled spans are never queued', () => {
    const { exporter, pending } = heldExporter()
    const stats = new StatsStore().tracing()
    const p = new BoundedBatchProcessor(exporter, opts({ maxExportBatchSize: 1 }), stats)
    p.onEnd(span(false))
    expect(pending).toHaveLength(0)
    expect(stats.reports_dropped.value).toBe(0)
  })

  test('when the collector is stuck the queue stays bounded and every overflow is counted', () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = heldExporter()
    const p = new BoundedBatchProcessor(exporter, opts(), stats)
    for (let i = 0; i < 20; i++) p.onEnd(span())
    // 2 in flight + 4 queued; the other 14 dropped.
    expect(pending).toHaveLength(1)
    expect(stats.reports_dropped.value).toBe(14)
  })

  test('collector down: after a failed export one attempt per scheduled delay, the rest past the bound dropped and counted', async () => {
    const stats = new StatsStore().tracing()
    const attempts: number[] = []
    // Refused at once, as fetch to a port nothing listens on is.
    const exporter: SpanExporter = {
      export: (spans, done) => void (attempts.push(spans.length), queueMicrotask(() => done({ code: ExportResultCode.FAILED }))),
      shutdown: async () => {},
    }
    const p = new BoundedBatchProcessor(exporter, opts(), stats)
    for (let i = 0; i < 20; i++) {
      p.onEnd(span())
      await sleep(0)
    }
    // One batch of 2 tried; the queue holds 4 for the retry; 14 dropped, none encoded in vain.
    expect(attempts).toEqual([2])
    expect([stats.reports_failed.value, stats.reports_dropped.value]).toEqual([1, 14])
  })

  test('the retry after a failure waits for the timer; once it succeeds full batches go at once again', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = heldExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ scheduledDelayMs: 20 }), stats)
    p.onEnd(span())
    p.onEnd(span())
    pending[0]!.done({ code: ExportResultCode.FAILED })
    await sleep(0)
    p.onEnd(span())
    p.onEnd(span())
    expect(pending).toHaveLength(1) // a full batch, but backing off
    const deadline = Date.now() + 1000
    while (pending.length < 2 && Date.now() < deadline) await sleep(5)
    expect(pending[1]?.spans).toHaveLength(2)
    pending[1]!.done({ code: ExportResultCode.SUCCESS })
    await sleep(0)
    p.onEnd(span())
    p.onEnd(span())
    expect(pending).toHaveLength(3)
    expect([stats.reports_failed.value, stats.reports_sent.value, stats.reports_dropped.value]).toEqual([1, 1, 0])
  })

  test('a timed-out export counts as failed once and lets the next batch go', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = heldExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ exportTimeoutMs: 10 }), stats)
    for (let i = 0; i < 4; i++) p.onEnd(span())
    await sleep(40)
    expect(pending.length).toBeGreaterThanOrEqual(2)
    pending[0]!.done({ code: ExportResultCode.SUCCESS }) // too late: ignored
    expect(stats.reports_failed.value).toBeGreaterThanOrEqual(1)
    expect(stats.spans_sent.value).toBe(0)
  })

  test('an exporter that throws is a failed report, not an exception in onEnd', () => {
    const stats = new StatsStore().tracing()
    const exporter: SpanExporter = {
      export: () => {
        throw new Error('boom')
      },
      shutdown: async () => {},
    }
    const p = new BoundedBatchProcessor(exporter, opts({ maxExportBatchSize: 1 }), stats)
    expect(() => p.onEnd(span())).not.toThrow()
    expect(stats.reports_failed.value).toBe(1)
  })

  test('the timer sends a partial batch', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = heldExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ maxExportBatchSize: 10, scheduledDelayMs: 5 }), stats)
    p.onEnd(span())
    expect(pending).toHaveLength(0)
    const deadline = Date.now() + 1000
    while (pending.length === 0 && Date.now() < deadline) await sleep(5)
    expect(pending[0]?.spans).toHaveLength(1)
  })

  test('forceFlush resolves only after the last batch it started has settled', async () => {
    const stats = new StatsStore().tracing()
    const exporter: SpanExporter = {
      export: (_spans, done) => void setTimeout(() => done({ code: ExportResultCode.SUCCESS }), 2),
      shutdown: async () => {},
    }
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 10 }), stats)
    for (let i = 0; i < 4; i++) p.onEnd(span())
    await p.forceFlush()
    expect([stats.spans_sent.value, stats.reports_sent.value]).toEqual([4, 2])
  })

  test('shutdown drains every queued batch, then calls the exporter shutdown', async () => {
    const stats = new StatsStore().tracing()
    const batches: number[] = []
    let shut = false
    const exporter: SpanExporter = {
      export: (spans, done) => {
        batches.push(spans.length)
        setTimeout(() => done({ code: ExportResultCode.SUCCESS }), 1)
      },
      shutdown: async () => void (shut = true),
    }
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 10, maxExportBatchSize: 3 }), stats)
    for (let i = 0; i < 8; i++) p.onEnd(span())
    await p.shutdown()
    expect(batches).toEqual([3, 3, 2])
    expect(stats.spans_sent.value).toBe(8)
    expect(shut).toBe(true)
  })
})

/** An exporter that encodes ahead: a part lists its spans' names; batches wait until the test answers them. */
function partsExporter(failOn?: string) {
  const encoded: number[] = []
  const pending: { parts: readonly string[]; done: (r: ExportResult) => void }[] = []
  const exporter: PartsExporter = {
    export: () => {
      throw new Error('parts only')
    },
    encodePart: (spans) => {
      if (failOn && spans.some((s) => s.name === failOn)) throw new Error('cannot encode')
      encoded.push(spans.length)
      return spans.map((s) => s.name).join(',')
    },
    exportParts: (parts, done) => void pending.push({ parts, done }),
    shutdown: async () => {},
  }
  return { exporter, encoded, pending }
}

const named = (name: string) => {
  const record = span()
  record.name = name
  return record
}

describe('BoundedBatchProcessor with an exporter that encodes ahead', () => {
  test('a part holds the largest divisor of the batch size up to 256 spans, so whole parts fill a batch', () => {
    expect([2048, 512, 256, 1000, 10, 257, 1].map(partSizeFor)).toEqual([256, 256, 256, 250, 10, 1, 1])
  })

  test('spans are encoded part by part as they end; a full batch goes as its parts, oldest first', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, encoded, pending } = partsExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 4000, maxExportBatchSize: 1024 }), stats)
    for (let i = 0; i < 255; i++) p.onEnd(named(`s${i}`))
    expect(encoded).toEqual([])
    p.onEnd(named('s255'))
    expect(encoded).toEqual([256])
    expect(pending).toHaveLength(0)
    for (let i = 256; i < 1024; i++) p.onEnd(named(`s${i}`))
    expect(encoded).toEqual([256, 256, 256, 256])
    expect(pending).toHaveLength(1)
    expect(pending[0]!.parts.join(',')).toBe(Array.from({ length: 1024 }, (_, i) => `s${i}`).join(','))
    pending[0]!.done({ code: ExportResultCode.SUCCESS })
    await sleep(0)
    expect([stats.spans_sent.value, stats.reports_sent.value]).toEqual([1024, 1])
  })

  test('the timer sends the parts and encodes the spans not yet in one', async () => {
    const stats = new StatsStore().tracing()
    const { exporter, encoded, pending } = partsExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 4000, maxExportBatchSize: 1024, scheduledDelayMs: 5 }), stats)
    for (let i = 0; i < 300; i++) p.onEnd(named(`s${i}`))
    const deadline = Date.now() + 1000
    while (pending.length === 0 && Date.now() < deadline) await sleep(5)
    expect(encoded).toEqual([256, 44])
    expect(pending[0]!.parts).toHaveLength(2)
    pending[0]!.done({ code: ExportResultCode.SUCCESS })
    await sleep(0)
    expect(stats.spans_sent.value).toBe(300)
  })

  test('the queue bound counts encoded spans too; overflow is dropped and counted', () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = partsExporter()
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 300, maxExportBatchSize: 1024 }), stats)
    for (let i = 0; i < 310; i++) p.onEnd(named(`s${i}`))
    expect(pending).toHaveLength(0)
    expect(stats.reports_dropped.value).toBe(10)
  })

  test('spans whose part cannot be encoded are dropped and counted, never thrown into onEnd', () => {
    const stats = new StatsStore().tracing()
    const { exporter, pending } = partsExporter('bad')
    const p = new BoundedBatchProcessor(exporter, opts({ maxQueueSize: 10, maxExportBatchSize: 2 }), stats)
    p.onEnd(named('ok'))
    expect(() => p.onEnd(named('bad'))).not.toThrow()
    expect(stats.reports_dropped.value).toBe(2)
    p.onEnd(named('a'))
    p.onEnd(named('b'))
    expect(pending.map((b) => b.parts)).toEqual([['a,b']])
  })
})

