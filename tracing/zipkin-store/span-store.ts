// The bounded in-memory trace store: spans grouped by trace, halves merged on arrival, whole
// oldest traces (by first arrival) evicted once the span count passes maxSpans.

import { traceKey } from './span-ids.ts'
import { isSameSpan, mergeSpan } from './span-merge.ts'
import { localServiceName, remoteServiceName } from './span-model.ts'
import type { Span } from './span-model.ts'
import type { TraceStore } from './storage/trace-store.ts'
import { findTraces, inWindow, type TraceQuery } from './trace-query.ts'

export type SpanStoreOptions = {
  maxSpans: number
  /** Zipkin's STRICT_TRACE_ID; false groups 64- and 128-bit ids by their low 64 bits. Default true. */
  strictTraceId?: boolean
}

export class SpanStore implements TraceStore {
  readonly maxSpans: number
  readonly strictTraceId: boolean
  // Map iteration order is insertion order, which is what eviction walks.
  readonly #traces = new Map<string, Span[]>()
  #spanCount = 0

  constructor({ maxSpans, strictTraceId = true }: SpanStoreOptions) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new RangeError('maxSpans must be a positive integer')
    this.maxSpans = maxSpans
    this.strictTraceId = strictTraceId
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
    const trace = this.#traces.get(key)
    if (!trace) {
      this.#traces.set(key, [span])
      this.#spanCount += 1
      return
    }
    const index = trace.findIndex((existing) => isSameSpan(existing, span))
    if (index === -1) {
      trace.push(span)
      this.#spanCount += 1
    } else {
      trace[index] = mergeSpan(trace[index]!, span)
    }
  }

  #evict(): void {
    for (const [key, trace] of this.#traces) {
      if (this.#spanCount <= this.maxSpans) return
      this.#traces.delete(key)
      this.#spanCount -= trace.length
    }
  }

  /** The trace's spans (a copy), or undefined when unknown; `traceId` must be normalised. */
  getTrace(traceId: string): Span[] | undefined {
    const trace = this.#traces.get(traceKey(traceId, this.strictTraceId))
    return trace ? [...trace] : undefined
  }

  /** Every stored trace, oldest first. */
  *traces(): IterableIterator<readonly Span[]> {
    yield* this.#traces.values()
  }

  serviceNames(): string[] {
    const names = new Set<string>()
    for (const trace of this.#traces.values()) {
      for (const span of trace) {
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
    for (const trace of this.#traces.values()) {
      for (const span of trace) {
        const value = span.tags?.[key]
        if (value !== undefined) values.add(value)
      }
    }
    return [...values].sort()
  }

  #collect(serviceName: string, pick: (span: Span) => string | undefined): string[] {
    const names = new Set<string>()
    const wanted = serviceName.toLowerCase()
    for (const trace of this.#traces.values()) {
      for (const span of trace) {
        if (localServiceName(span) !== wanted) continue
        const name = pick(span)
        if (name !== undefined) names.add(name)
      }
    }
    return [...names].sort()
  }

  // --- the rest of the TraceStore port: scans, as the store is bounded and in memory ---

  findTraces(query: TraceQuery): Span[][] {
    return findTraces(this.#traces.values(), query)
  }

  *tracesInWindow(endTsMs: number, lookbackMs: number): IterableIterator<readonly Span[]> {
    for (const trace of this.#traces.values()) if (inWindow(trace, endTsMs, lookbackMs)) yield trace
  }

  close(): void {}
}
