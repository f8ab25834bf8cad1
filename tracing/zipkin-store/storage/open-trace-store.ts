// Builds the storage `edgeway zipkin --storage` names: the bounded in-memory store (default) or
// the SQLite file, opened with the runtime's own driver.

import { SpanStore } from '../span-store.ts'
import { loadSqliteDriver } from './open-sqlite.ts'
import { SqliteTraceStore } from './sqlite-trace-store.ts'
import type { TraceStore } from './trace-store.ts'

export type StorageOptions =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string; readonly maxBytes?: number; readonly maxAgeMs?: number }

export async function openTraceStore(storage: StorageOptions, maxSpans: number, runtime: 'bun' | 'deno'): Promise<TraceStore> {
  if (storage.kind === 'memory') return new SpanStore({ maxSpans })
  const open = await loadSqliteDriver(runtime)
  const db = open(storage.path)
  try {
    return new SqliteTraceStore(db, { maxSpans, ...(storage.maxBytes !== undefined && { maxBytes: storage.maxBytes }), ...(storage.maxAgeMs !== undefined && { maxAgeMs: storage.maxAgeMs }) })
  } catch (error) {
    db.close()
    throw error
  }
}
