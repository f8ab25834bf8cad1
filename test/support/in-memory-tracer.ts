// An in-process request tracer for integration tests: the real tracing layer with an in-memory
// exporter, its finished spans read back in Zipkin v2 form through the project's own encoder.

import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { StatsStore } from '../../src/stats/stats-store.ts'
import type { RequestTracer } from '../../src/proxy/request-tracer.ts'
import { setupTracing, type Tracing } from '../../tracing/index.ts'
import { createRequestTracer } from '../../tracing/request-tracer.ts'
import { encodeSpan, type ZipkinSpan } from '../../tracing/zipkin-encode.ts'

export type InMemoryTracer = {
  readonly tracer: RequestTracer
  readonly tracing: Tracing
  /** Holds the tracer's listener counters (tracing.random_sampling, tracing.service_forced...). */
  readonly stats: StatsStore
  /** Every span finished so far, flushed and encoded as Zipkin v2 JSON. */
  spans(): Promise<ZipkinSpan[]>
  /** Waits until at least `count` spans of `traceId` were exported; rejects after `timeoutMs`. */
  spansOf(traceId: string, count: number, timeoutMs?: number): Promise<ZipkinSpan[]>
  /** Flushes what the batch processor still queues, then forgets every span. */
  reset(): Promise<void>
}

export function startInMemoryTracer(options: { serviceName: string; nodeId: string }): InMemoryTracer {
  const exporter = new InMemorySpanExporter()
  const stats = new StatsStore()
  const tracing = setupTracing({ ...options, stats: stats.tracing(), exporter })
  const tracer = createRequestTracer({ tracing, listenerStats: (listener) => stats.listener(listener.statPrefix) })
  const spans = async () => {
    await tracing.forceFlush()
    return exporter.getFinishedSpans().map((span) => encodeSpan(span, options.serviceName))
  }
  return {
    tracer,
    tracing,
    stats,
    spans,
    async spansOf(traceId, count, timeoutMs = 3000) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const found = (await spans()).filter((span) => span.traceId === traceId)
        if (found.length >= count) return found
        if (performance.now() > deadline) throw new Error(`${found.length} of ${count} spans of trace ${traceId} after ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    async reset() {
      await tracing.forceFlush()
      exporter.reset()
    },
  }
}
