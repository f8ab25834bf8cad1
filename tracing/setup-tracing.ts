// Builds the tracer the proxy uses: explicit-parent spans, the proxy's sampling decision, and
// batched export to Zipkin with counted drops and a bounded flush on shutdown.

import {
  ROOT_CONTEXT,
  TraceFlags,
  trace,
  type Attributes,
  type Span,
  type SpanContext,
  type SpanKind,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { TracingStats } from '../src/admin/stats.ts'
import { BoundedBatchProcessor, type BatchOptions } from './bounded-batch-processor.ts'
import { DecisionSampler, withDecision } from './decision-sampler.ts'
import { msToHrTime, nowMs } from './hr-clock.ts'
import { TAG } from './span-tags.ts'
import { createIdGenerator, toOtelTraceId } from './trace-ids.ts'
import { ZipkinExporter } from './zipkin-exporter.ts'

export type ZipkinOptions = BatchOptions & { url: string }

export type TracingOptions = {
  /** `localEndpoint.serviceName` of every span: the service cluster (`front-proxy`, `service1`). */
  serviceName: string
  /** Tagged `node_id` on every span when not empty, as Envoy does. */
  nodeId: string
  zipkin?: ZipkinOptions
  stats: TracingStats
  /** Replaces the Zipkin exporter (tests pass an InMemorySpanExporter); batching options still apply. */
  exporter?: SpanExporter
  /** New root traces get 128-bit ids (Envoy's `trace_id_128bit`); 64-bit by default. */
  traceId128Bit?: boolean
  /** Upper bound of shutdown(); queued spans not sent by then are lost. */
  shutdownTimeoutMs?: number
  fetch?: typeof fetch
}

export type SpanParent = { traceId: string; spanId: string; sampled: boolean; debug?: boolean }

export type StartSpanOptions = {
  kind: SpanKind
  /** The remote or local parent; its trace id may be 16 or 32 hex. */
  parent?: SpanParent
  /** Decision for a new root (no parent); a parent's own flag decides otherwise. Default true. */
  sampled?: boolean
  debug?: boolean
  /** Epoch milliseconds, fractions kept; defaults to now. */
  startTimeMs?: number
  attributes?: Attributes
}

export type Tracing = {
  tracer: Tracer
  /** Starts a span under an explicit parent: no context manager needed. */
  startSpan(name: string, opts: StartSpanOptions): Span
  /** Flushes what is queued, then stops exporting; bounded by shutdownTimeoutMs. Never rejects. */
  shutdown(): Promise<void>
  forceFlush(): Promise<void>
}

/** Used when only an exporter is given: flush often, keep a modest queue. */
const DEFAULT_BATCH: BatchOptions = {
  maxQueueSize: 1024,
  maxExportBatchSize: 64,
  scheduledDelayMs: 1000,
  exportTimeoutMs: 5000,
}

export function setupTracing(opts: TracingOptions): Tracing {
  const exporter =
    opts.exporter ??
    (opts.zipkin &&
      new ZipkinExporter({
        url: opts.zipkin.url,
        serviceName: opts.serviceName,
        timeoutMs: opts.zipkin.exportTimeoutMs,
        fetch: opts.fetch,
      }))
  const processors: SpanProcessor[] = exporter
    ? [new BoundedBatchProcessor(exporter, opts.zipkin ?? DEFAULT_BATCH, opts.stats)]
    : []
  const provider = new BasicTracerProvider({
    // service.name only: nothing else should look like it belongs in a span (encoding ignores it anyway).
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    sampler: new DecisionSampler(),
    idGenerator: createIdGenerator({ traceId128Bit: opts.traceId128Bit }),
    spanProcessors: processors,
  })
  const tracer = provider.getTracer('edgeway')
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 2000
  let stopping: Promise<void> | undefined

  return {
    tracer,
    startSpan(name, o) {
      const debug = o.parent?.debug === true || o.debug === true
      const sampled = debug || (o.parent ? o.parent.sampled : (o.sampled ?? true))
      let ctx = withDecision(ROOT_CONTEXT, { sampled, debug })
      if (o.parent) ctx = trace.setSpanContext(ctx, remoteParent(o.parent, sampled))
      const attributes = opts.nodeId ? { [TAG.nodeId]: opts.nodeId, ...o.attributes } : o.attributes
      const span = tracer.startSpan(
        name,
        { kind: o.kind, attributes, startTime: msToHrTime(o.startTimeMs ?? nowMs()) },
        ctx,
      )
      return endOnHrClock(span)
    },
    forceFlush: () => provider.forceFlush().catch(() => undefined),
    shutdown() {
      stopping ??= Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, shutdownTimeoutMs)
          ;(t as { unref?: () => void }).unref?.()
        }),
      ])
      return stopping
    },
  }
}

function remoteParent(parent: SpanParent, sampled: boolean): SpanContext {
  return {
    traceId: toOtelTraceId(parent.traceId),
    spanId: parent.spanId.toLowerCase(),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  }
}

/** With a start time given, the SDK would end the span on Date.now(); end it on the same clock. */
function endOnHrClock(span: Span): Span {
  if (!span.isRecording()) return span
  const end = span.end.bind(span)
  span.end = (endTime?: TimeInput) => end(endTime ?? msToHrTime(nowMs()))
  return span
}
