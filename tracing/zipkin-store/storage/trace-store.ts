// The storage port of the bundled Zipkin store: what the API and the UI ask of a storage. The
// in-memory SpanStore (default) and the SQLite store (`--storage sqlite:PATH`) implement it and
// pass the same tests (storage/trace-store.contract.ts).

import type { Span } from '../span-model.ts'
import type { TraceQuery } from '../trace-query.ts'

export interface TraceStore {
  readonly spanCount: number
  readonly traceCount: number
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
