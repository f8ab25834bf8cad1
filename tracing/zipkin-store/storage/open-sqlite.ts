// Opens a SQLite file with the runtime's built-in driver: bun:sqlite on Bun, node:sqlite on Deno.
// The one runtime-specific file of tracing/: the bundled store is a tool beside the proxy, so its
// database does not belong in the proxy's Runtime port (src/runtime.ts); only the module names
// differ, and both modules are imported lazily so the other runtime never loads them.

import type { SqlDatabase, SqlStatement, SqlValue } from './sql-database.ts'

type DriverStatement = {
  run(...params: SqlValue[]): unknown
  all(...params: SqlValue[]): unknown[]
  get(...params: SqlValue[]): unknown
}
type DriverDatabase = { exec(sql: string): unknown; prepare(sql: string): DriverStatement; close(): unknown }

export type OpenDatabase = (path: string) => SqlDatabase

/** Loads the runtime's driver once; the function it gives opens (and creates) files synchronously. */
export async function loadSqliteDriver(runtime: 'bun' | 'deno'): Promise<OpenDatabase> {
  if (runtime === 'bun') {
    const { Database } = (await import('bun:sqlite')) as unknown as { Database: new (path: string, options: { create: boolean; strict: boolean }) => DriverDatabase }
    return (path) => wrap(new Database(path, { create: true, strict: true }))
  }
  const { DatabaseSync } = (await import('node:sqlite')) as unknown as { DatabaseSync: new (path: string) => DriverDatabase }
  return (path) => wrap(new DatabaseSync(path))
}

function wrap(db: DriverDatabase): SqlDatabase {
  // The store runs a handful of fixed statements per span: compiled once, reused.
  const cache = new Map<string, SqlStatement>()
  return {
    exec: (sql) => void db.exec(sql),
    prepare(sql): SqlStatement {
      let cached = cache.get(sql)
      if (!cached) cache.set(sql, (cached = compile(db, sql)))
      return cached
    },
    close: () => {
      cache.clear()
      db.close()
    },
  }
}

function compile(db: DriverDatabase, sql: string): SqlStatement {
  const statement = db.prepare(sql)
  return {
    run: (...params) => void statement.run(...params),
    all: (...params) => statement.all(...params) as Record<string, unknown>[],
    // bun:sqlite answers null for no row, node:sqlite undefined.
    get: (...params) => (statement.get(...params) ?? undefined) as Record<string, unknown> | undefined,
  }
}
