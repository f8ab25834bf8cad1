// The storage port of the bundled Zipkin store: what the API and the UI ask of a storage. The
// in-memory SpanStore (default) and the SQLite store (`--storage sqlite:PATH`) implement it and
// pass the same tests (storage/trace-store.test.ts, test/integration/zipkin-store.test.ts).

import type { Span } from '../span-model.ts'
import type { TraceQuery } from '../trace-query.ts'

/** Per-trace bounds both storages apply: a runaway trace (a loop, a batch job) cannot crowd out the rest. */
export type TraceLimits = {
  /** Spans kept per trace; later new spans of a full trace are dropped (halves still merge). Default 10000. */
  maxSpansPerTrace?: number
  /** Told once per trace when it first reaches maxSpansPerTrace. */
  onTraceCapped?: (traceId: string, maxSpansPerTrace: number) => void
}

export const DEFAULT_MAX_SPANS_PER_TRACE = 10_000

export function checkTraceLimits(maxSpansPerTrace: number): void {
  if (!Number.isInteger(maxSpansPerTrace) || maxSpansPerTrace < 1) throw new RangeError('maxSpansPerTrace must be a positive integer')
}

export interface TraceStore {
  readonly spanCount: number
  readonly traceCount: number
  /** New spans refused because their trace already held maxSpansPerTrace. */
  readonly droppedSpans: number
  /** Spans must already be decoded and normalised (span-decoder.ts); halves of a span merge. */
  accept(spans: readonly Span[]): void
  /** The trace's spans, or undefined when unknown; `traceId` must be normalised. */
  getTrace(traceId: string): Span[] | undefined
  /** Matching traces, newest first, at most `query.limit` (GET /api/v2/traces). */
  findTraces(query: TraceQuery): Span[][]
  /** Every trace whose timestamp lies in the window (GET /api/v2/dependencies). */
  tracesInWindow(endTsMs: number, lookbackMs: number): Iterable<readonly Span[]>
  serviceNames(): string[]
  spanNames(serviceName: string): string[]
  remoteServiceNames(serviceName: string): string[]
  tagValues(key: string): string[]
  /** Releases files and handles; the store is unusable afterwards. */
  close(): void
}
