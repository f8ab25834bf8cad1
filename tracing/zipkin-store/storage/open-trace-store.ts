// Builds the storage `edgeway zipkin --storage` names: the bounded in-memory store (default) or
// the SQLite file, opened with the runtime's own driver.

import { SpanStore } from '../span-store.ts'
import { loadSqliteDriver } from './open-sqlite.ts'
import { SqliteTraceStore } from './sqlite-trace-store.ts'
import type { TraceLimits, TraceStore } from './trace-store.ts'

export type StorageOptions =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string; readonly maxBytes?: number; readonly maxAgeMs?: number }

/** What a store says on stderr when a trace first reaches its cap (unless told otherwise). */
export function logTraceCapped(traceId: string, maxSpansPerTrace: number): void {
  console.error(`zipkin store: trace ${traceId} reached ${maxSpansPerTrace} spans; its further new spans are dropped (counted in /health; --max-spans-per-trace)`)
}

export async function openTraceStore(storage: StorageOptions, maxSpans: number, runtime: 'bun' | 'deno', limits: TraceLimits = {}): Promise<TraceStore> {
  const perTrace: TraceLimits = {
    onTraceCapped: limits.onTraceCapped ?? logTraceCapped,
    ...(limits.maxSpansPerTrace !== undefined && { maxSpansPerTrace: limits.maxSpansPerTrace }),
  }
  if (storage.kind === 'memory') return new SpanStore({ maxSpans, ...perTrace })
  const open = await loadSqliteDriver(runtime)
  const db = open(storage.path)
  try {
    return new SqliteTraceStore(db, { maxSpans, ...perTrace, ...(storage.maxBytes !== undefined && { maxBytes: storage.maxBytes }), ...(storage.maxAgeMs !== undefined && { maxAgeMs: storage.maxAgeMs }) })
  } catch (error) {
    db.close()
    throw error
  }
}
