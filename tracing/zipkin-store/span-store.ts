// The bounded in-memory trace store: spans grouped by trace, halves merged on arrival (O(1) per
// span), whole oldest traces (by first arrival) evicted once the span count passes maxSpans, and
// no trace holding more than maxSpansPerTrace (further new spans of it are dropped and counted).

import { traceKey } from './span-ids.ts'
import { localServiceName, remoteServiceName } from './span-model.ts'
import type { Span } from './span-model.ts'
import { DEFAULT_MAX_SPANS_PER_TRACE, checkTraceLimits, type TraceLimits, type TraceStore } from './storage/trace-store.ts'
import { findTraces, inWindow, type TraceQuery } from './trace-query.ts'
import { TraceSpans } from './trace-spans.ts'

export type SpanStoreOptions = TraceLimits & {
  maxSpans: number
  /** Zipkin's STRICT_TRACE_ID; false groups 64- and 128-bit ids by their low 64 bits. Default true. */
  strictTraceId?: boolean
}

export class SpanStore implements TraceStore {
  readonly maxSpans: number
  readonly maxSpansPerTrace: number
  readonly strictTraceId: boolean
  // Map iteration order is insertion order, which is what eviction walks.
  readonly #traces = new Map<string, TraceSpans>()
  readonly #capped = new Set<string>()
  readonly #onTraceCapped: TraceLimits['onTraceCapped']
  #spanCount = 0
  #droppedSpans = 0

  constructor({ maxSpans, maxSpansPerTrace = DEFAULT_MAX_SPANS_PER_TRACE, strictTraceId = true, onTraceCapped }: SpanStoreOptions) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new RangeError('maxSpans must be a positive integer')
    checkTraceLimits(maxSpansPerTrace)
    this.maxSpans = maxSpans
    this.maxSpansPerTrace = maxSpansPerTrace
    this.strictTraceId = strictTraceId
    this.#onTraceCapped = onTraceCapped
  }

  get droppedSpans(): number {
    return this.#droppedSpans
  }

  get spanCount(): number {
    return this.#spanCount
  }

  get traceCount(): number {
    return this.#traces.size
  }

  /** Spans must already be decoded and normalised (see span-decoder.ts). */
  accept(spans: readonly Span[]): void {
    for (const span of spans) this.#add(span)
    this.#evict()
  }

  #add(span: Span): void {
    const key = traceKey(span.traceId, this.strictTraceId)
    let trace = this.#traces.get(key)
    if (!trace) {
      trace = new TraceSpans()
      this.#traces.set(key, trace)
    }
    const outcome = trace.add(span, this.maxSpansPerTrace)
    if (outcome === 'added') this.#spanCount += 1
    if (outcome !== 'dropped') return
    this.#droppedSpans += 1
    if (this.#capped.has(key)) return
    this.#capped.add(key)
    this.#onTraceCapped?.(span.traceId, this.maxSpansPerTrace)
  }

  #evict(): void {
    for (const [key, trace] of this.#traces) {
      if (this.#spanCount <= this.maxSpans) return
      this.#traces.delete(key)
      this.#capped.delete(key)
      this.#spanCount -= trace.size
    }
  }

  /** The trace's spans (a copy), or undefined when unknown; `traceId` must be normalised. */
  getTrace(traceId: string): Span[] | undefined {
    const trace = this.#traces.get(traceKey(traceId, this.strictTraceId))
    return trace ? [...trace.spans] : undefined
  }

  /** Every stored trace, oldest first. */
  *traces(): IterableIterator<readonly Span[]> {
    for (const trace of this.#traces.values()) yield trace.spans
  }

  serviceNames(): string[] {
    const names = new Set<string>()
    for (const { spans } of this.#traces.values()) {
      for (const span of spans) {
        const name = localServiceName(span)
        if (name !== undefined) names.add(name)
      }
    }
    return [...names].sort()
  }

  spanNames(serviceName: string): string[] {
    return this.#collect(serviceName, (span) => span.name)
  }

  remoteServiceNames(serviceName: string): string[] {
    return this.#collect(serviceName, remoteServiceName)
  }

  tagValues(key: string): string[] {
    const values = new Set<string>()
    for (const { spans } of this.#traces.values()) {
      for (const span of spans) {
        const value = span.tags?.[key]
        if (value !== undefined) values.add(value)
      }
    }
    return [...values].sort()
  }

  #collect(serviceName: string, pick: (span: Span) => string | undefined): string[] {
    const names = new Set<string>()
    const wanted = serviceName.toLowerCase()
    for (const { spans } of this.#traces.values()) {
      for (const span of spans) {
        if (localServiceName(span) !== wanted) continue
        const name = pick(span)
        if (name !== undefined) names.add(name)
      }
    }
    return [...names].sort()
  }

  // --- the rest of the TraceStore port: scans, as the store is bounded and in memory ---

  findTraces(query: TraceQuery): Span[][] {
    return findTraces(this.traces(), query)
  }

  *tracesInWindow(endTsMs: number, lookbackMs: number): IterableIterator<readonly Span[]> {
    for (const trace of this.traces()) if (inWindow(trace, endTsMs, lookbackMs)) yield trace
  }

  close(): void {}
}
