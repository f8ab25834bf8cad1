// The few calls the SQLite trace store makes, so it runs on bun:sqlite and node:sqlite alike
// (open-sqlite.ts adapts each runtime's module to this). Both APIs are synchronous.

export type SqlValue = string | number | bigint | null | Uint8Array

export interface SqlStatement {
  run(...params: SqlValue[]): void
  all(...params: SqlValue[]): Record<string, unknown>[]
  /** The first row, or undefined. */
  get(...params: SqlValue[]): Record<string, unknown> | undefined
}

export interface SqlDatabase {
  exec(sql: string): void
  prepare(sql: string): SqlStatement
  close(): void
}
