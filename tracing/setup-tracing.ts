// Builds the tracer the proxy uses: explicit-parent spans recorded as lean SpanRecords, the proxy's
// sampling decision, and batched export to Zipkin with counted drops and a bounded flush on shutdown.
// No SDK TracerProvider: with explicit parents and the decision made by the proxy, it only added a
// context, a sampler call and attribute sanitising per span (README, tracing, has the numbers).

import type { Attributes, SpanKind } from '@opentelemetry/api'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { UpstreamFetch } from '../src/runtime.ts'
import type { TracingStats } from '../src/stats/stats-store.ts'
import { BoundedBatchProcessor, type BatchOptions } from './bounded-batch-processor.ts'
import { nowMs } from './hr-clock.ts'
import { serviceResource } from './service-resource.ts'
import { SpanRecord } from './span-record.ts'
import { TAG } from './span-tags.ts'
import { createIdSource, toB3TraceId } from './trace-ids.ts'
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
  /** Runtime.sequentialStrings: ids are then strings of their own, not slices (trace-ids.ts). */
  sequentialStrings?: boolean
  /** Upper bound of shutdown(); queued spans not sent by then are lost. */
  shutdownTimeoutMs?: number
  fetch?: typeof fetch
  /** The proxy's own HTTP/1.1 client (Runtime.upstreamFetch): http:// collectors are posted through it. */
  upstreamFetch?: UpstreamFetch
  /** The exporter's `user-agent` (src/main.ts: `edgeway/<version> (<runtime> <version>)`). */
  userAgent?: string
}

/** `spanId` '' means the trace is known but the span has no parent (a shared span at the root). */
export type SpanParent = { traceId: string; spanId: string; sampled: boolean; debug?: boolean }

export type StartSpanOptions = {
  kind: SpanKind
  /** The remote or local parent (a SpanRecord is one); its trace id may be 16 or 32 hex. */
  parent?: SpanParent
  /** Decision for a new root (no parent); a parent's own flag decides otherwise. Default true. */
  sampled?: boolean
  debug?: boolean
  /**
   * Reuse this span id instead of a fresh one: a SERVER span sharing its caller's id (Zipkin's
   * `shared`, Envoy's shared_span_context). The span is then marked shared.
   */
  sharedId?: string
  /** Epoch milliseconds, fractions kept; defaults to now. */
  startTimeMs?: number
  attributes?: Attributes
}

export type Tracing = {
  /** Starts a span under an explicit parent: no context manager needed. */
  startSpan(name: string, opts: StartSpanOptions): SpanRecord
  /** startSpan for the request tracer, positionally (StartSpanOptions' fields; `sampled` decides a new root; `startMs` epoch ms, default now). */
  startRequestSpan(name: string, kind: SpanKind, parent: SpanParent | undefined, sampled: boolean, debug: boolean, sharedId: string | undefined, startMs?: number): SpanRecord
  /** A span under a local parent, e.g. an attempt under its request: the parent's trace, sampling and debug. */
  startChildSpan(parent: SpanRecord, name: string, kind: SpanKind, startMs?: number): SpanRecord
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
        upstreamFetch: opts.upstreamFetch,
        userAgent: opts.userAgent,
      }))
  const processor = exporter ? new BoundedBatchProcessor(exporter, opts.zipkin ?? DEFAULT_BATCH, opts.stats) : undefined
  // service.name only, for OTel exporters that read it (the Zipkin encoding ignores it).
  const resource = serviceResource(opts.serviceName)
  const ids = createIdSource({ traceId128Bit: opts.traceId128Bit, sequential: opts.sequentialStrings })
  const nodeId = opts.nodeId
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 2000
  let stopping: Promise<void> | undefined

  /** Positional, so the request path builds no options object per span. */
  const start = (name: string, kind: SpanKind, parent: SpanParent | undefined, rootSampled: boolean, rootDebug: boolean, sharedId: string | undefined, startTimeMs: number | undefined): SpanRecord => {
    const debug = parent?.debug === true || rootDebug
    const sampled = debug || (parent ? parent.sampled : rootSampled)
    // An unsampled span still gets fresh ids: they are injected upstream with sampled 0.
    const spanId = sharedId ? sharedId.toLowerCase() : ids.spanId()
    const span = parent
      ? new SpanRecord(name, kind, toB3TraceId(parent.traceId), spanId, parent.spanId ? parent.spanId.toLowerCase() : undefined, sampled, debug, startTimeMs ?? nowMs(), processor, resource)
      : new SpanRecord(name, kind, ids.traceId(), spanId, undefined, sampled, debug, startTimeMs ?? nowMs(), processor, resource)
    if (sharedId) span.shared = true
    if (nodeId) span.tag(TAG.nodeId, nodeId)
    return span
  }

  return {
    startSpan(name, o) {
      const span = start(name, o.kind, o.parent, o.sampled ?? true, o.debug === true, o.sharedId, o.startTimeMs)
      if (o.attributes) span.setAttributes(o.attributes)
      return span
    },
    startRequestSpan: (name, kind, parent, sampled, debug, sharedId, startMs) => start(name, kind, parent, sampled, debug, sharedId, startMs),
    startChildSpan(parent, name, kind, startMs) {
      // A record's ids are in wire form already: nothing to convert.
      const span = new SpanRecord(name, kind, parent.traceId, ids.spanId(), parent.spanId, parent.sampled || parent.debug, parent.debug, startMs ?? nowMs(), processor, resource)
      if (nodeId) span.tag(TAG.nodeId, nodeId)
      return span
    },
    forceFlush: () => processor?.forceFlush().catch(() => undefined) ?? Promise.resolve(),
    shutdown() {
      stopping ??= Promise.race([
        (processor?.shutdown() ?? Promise.resolve()).catch(() => undefined),
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, shutdownTimeoutMs)
          ;(t as { unref?: () => void }).unref?.()
        }),
      ])
      return stopping
    },
  }
}
