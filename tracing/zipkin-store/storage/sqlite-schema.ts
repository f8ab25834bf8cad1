// The SQLite store's tables and the indexes behind each query: traces by time (the search walks
// it newest first), by arrival (eviction and age retention); spans by trace and service (loading
// a trace, the search's per-trace probes), by service and name or remote service (the name
// lists); tag and annotation terms by trace (the probes) and by key and value (autocomplete).

import type { SqlDatabase } from './sql-database.ts'

export const SCHEMA_VERSION = '1'

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS traces (
  trace_key TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  arrived_ms INTEGER NOT NULL,
  ts_us INTEGER,
  span_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_ts ON traces (ts_us);
CREATE INDEX IF NOT EXISTS traces_seq ON traces (seq);
CREATE INDEX IF NOT EXISTS traces_arrived ON traces (arrived_ms);
CREATE TABLE IF NOT EXISTS spans (
  trace_key TEXT NOT NULL,
  service TEXT,
  remote_service TEXT,
  name TEXT,
  duration INTEGER,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spans_trace ON spans (trace_key, service);
CREATE INDEX IF NOT EXISTS spans_service_name ON spans (service, name);
CREATE INDEX IF NOT EXISTS spans_service_remote ON spans (service, remote_service);
CREATE TABLE IF NOT EXISTS span_terms (
  span_rowid INTEGER NOT NULL,
  trace_key TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT
);
CREATE INDEX IF NOT EXISTS terms_key_value ON span_terms (key, value, trace_key);
CREATE INDEX IF NOT EXISTS terms_span ON span_terms (span_rowid);
CREATE INDEX IF NOT EXISTS terms_trace ON span_terms (trace_key, key, value);
`

/** Creates what is missing; refuses a file written by an incompatible schema. */
export function ensureSchema(db: SqlDatabase): void {
  // WAL: readers (the UI) never wait for the writer; NORMAL: a crash loses at most the last commits.
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec(DDL)
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version')
  if (row === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION)
  else if (row.value !== SCHEMA_VERSION) throw new Error(`schema version ${String(row.value)}, this edgeway reads ${SCHEMA_VERSION}`)
}
