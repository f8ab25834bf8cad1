// The SQLite store's tables and the indexes behind each query: traces by time (the search walks
// it newest first), by arrival (eviction and age retention); spans by trace and service (loading
// a trace, the search's per-trace probes), by service and name or remote service (the name
// lists), by trace and span id (ingest merges halves); tag and annotation terms by trace (the
// probes) and by key and value (autocomplete).

import { spanKey } from '../span-index.ts'
import type { Span } from '../span-model.ts'
import { isRootSpan } from '../trace-query.ts'
import type { SqlDatabase } from './sql-database.ts'

export const SCHEMA_VERSION = '2'

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
  json TEXT NOT NULL,
  span_key TEXT NOT NULL DEFAULT '',
  ts INTEGER,
  is_root INTEGER NOT NULL DEFAULT 0
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

/**
 * Version 2 finds an arriving span's stored half by its id (span_key) and keeps what the trace's
 * timestamp is made of (ts, is_root) in indexed columns, so a POST reads only the spans it
 * touches, not the whole trace. Created after the migration, which adds the columns to a version 1 file.
 */
const SPAN_KEY_INDEXES = `
CREATE INDEX IF NOT EXISTS spans_span_key ON spans (trace_key, span_key);
CREATE INDEX IF NOT EXISTS spans_ts ON spans (trace_key, ts);
CREATE INDEX IF NOT EXISTS spans_root ON spans (trace_key, is_root);
`

/** Creates what is missing, migrates a version 1 file, refuses a file written by an incompatible schema. */
export function ensureSchema(db: SqlDatabase): void {
  // WAL: readers (the UI) never wait for the writer; NORMAL: a crash loses at most the last commits.
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec(DDL)
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version')
  if (row === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION)
  else if (row.value === '1') migrateFromVersion1(db)
  else if (row.value !== SCHEMA_VERSION) throw new Error(`schema version ${String(row.value)}, this edgeway reads ${SCHEMA_VERSION}`)
  db.exec(SPAN_KEY_INDEXES)
}

/** Adds span_key, ts and is_root and fills them from each stored span's JSON, in one transaction. */
function migrateFromVersion1(db: SqlDatabase): void {
  db.exec('BEGIN IMMEDIATE')
  try {
    db.exec("ALTER TABLE spans ADD COLUMN span_key TEXT NOT NULL DEFAULT ''")
    db.exec('ALTER TABLE spans ADD COLUMN ts INTEGER')
    db.exec('ALTER TABLE spans ADD COLUMN is_root INTEGER NOT NULL DEFAULT 0')
    const update = db.prepare('UPDATE spans SET span_key = ?, ts = ?, is_root = ? WHERE rowid = ?')
    for (const stored of db.prepare('SELECT rowid, json FROM spans').all()) {
      const span = JSON.parse(String(stored.json)) as Span
      update.run(spanKey(span), span.timestamp ?? null, isRootSpan(span) ? 1 : 0, Number(stored.rowid))
    }
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(SCHEMA_VERSION, 'schema_version')
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}
