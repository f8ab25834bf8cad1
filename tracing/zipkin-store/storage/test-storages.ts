// Both storages behind one factory, for tests that must pass against each (the contract of
// trace-store.ts): the in-memory SpanStore and SQLite (bun:sqlite; a fresh :memory: database
// unless a file path is given).

import { SpanStore } from '../span-store.ts'
import { loadSqliteDriver } from './open-sqlite.ts'
import type { StorageOptions } from './open-trace-store.ts'
import { SqliteTraceStore, type SqliteStoreOptions } from './sqlite-trace-store.ts'
import type { TraceLimits, TraceStore } from './trace-store.ts'

export type StorageUnderTest = {
  readonly name: 'memory' | 'sqlite'
  make(options: TraceLimits & { maxSpans: number; strictTraceId?: boolean; nowMs?: () => number }): TraceStore
  /** For startZipkinStore: memory, or a new SQLite file under `dir`. */
  storageOptions(dir: string): StorageOptions
}

const openSqlite = await loadSqliteDriver('bun')
let files = 0

export const STORAGES: readonly StorageUnderTest[] = [
  { name: 'memory', make: (o) => new SpanStore(o), storageOptions: () => ({ kind: 'memory' }) },
  {
    name: 'sqlite',
    make: (o: SqliteStoreOptions) => new SqliteTraceStore(openSqlite(':memory:'), o),
    storageOptions: (dir) => ({ kind: 'sqlite', path: `${dir}/traces-${process.pid}-${++files}.db` }),
  },
]
