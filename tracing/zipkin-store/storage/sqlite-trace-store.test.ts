// What only the SQLite store does: keeps traces across reopening the file, retention by age and
// by bytes, refuses a file of another schema version, and uses its indexes for the searches.

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sampleTrace } from '../sample-trace.ts'
import type { Span } from '../span-model.ts'
import { parseTraceQuery } from '../trace-query.ts'
import { loadSqliteDriver } from './open-sqlite.ts'
import { candidateSql } from './sqlite-candidates.ts'
import { SqliteTraceStore } from './sqlite-trace-store.ts'

const open = await loadSqliteDriver('bun')
const dir = mkdtempSync(join(tmpdir(), 'edgeway-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const trace = (n: number, spans = 1, atUs = 1_000_000): Span[] =>
  Array.from({ length: spans }, (_, i) => ({ traceId: `00000000000000${n.toString(16).padStart(2, '0')}`, id: `${(i + 1).toString(16).padStart(16, '0')}`, name: 'op', timestamp: atUs, duration: 5, localEndpoint: { serviceName: 'svc' } }))

describe('SqliteTraceStore', () => {
  test('a reopened file has the traces, merged halves and counters it had', () => {
    const path = join(dir, 'reopen.db')
    const first = new SqliteTraceStore(open(path), { maxSpans: 100 })
    first.accept(sampleTrace({ traceId: '00000000000000a1', startUs: 1_000_000 }))
    first.accept([{ traceId: '00000000000000a1', id: 'a100000000000004', tags: { late: 'tag' } }])
    const before = first.getTrace('00000000000000a1')
    first.close()
    const second = new SqliteTraceStore(open(path), { maxSpans: 100 })
    expect(second.getTrace('00000000000000a1')).toEqual(before!)
    expect(before!.find((s) => s.id === 'a100000000000004')!.tags).toEqual({ 'db.system': 'memory', late: 'tag' })
    expect([second.spanCount, second.traceCount]).toEqual([6, 1])
    // New traces after a restart still sort after the old ones for eviction.
    second.accept(trace(2, 95))
    expect(second.getTrace('00000000000000a1')).toBeUndefined()
    expect(second.spanCount).toBe(95)
    second.close()
  })

  test('retention by age: traces that arrived longer ago than maxAgeMs go', () => {
    let now = 1_000_000
    const store = new SqliteTraceStore(open(':memory:'), { maxSpans: 100, maxAgeMs: 60_000, nowMs: () => now })
    store.accept(trace(1))
    now += 30_000
    store.accept(trace(2))
    now += 40_000
    store.accept(trace(3))
    expect(store.getTrace(trace(1)[0]!.traceId)).toBeUndefined()
    expect(store.getTrace(trace(2)[0]!.traceId)).toBeDefined()
    expect([store.traceCount, store.spanCount]).toEqual([2, 2])
    // A search also applies it, so an idle store does not serve expired traces.
    now += 50_000
    store.findTraces({ annotationQuery: new Map(), endTsMs: now, lookbackMs: 1e9, limit: 10 })
    expect(store.getTrace(trace(2)[0]!.traceId)).toBeUndefined()
    expect(store.traceCount).toBe(1)
  })

  test('retention by size: oldest whole traces go once the stored JSON passes maxBytes', () => {
    const store = new SqliteTraceStore(open(':memory:'), { maxSpans: 1000, maxBytes: 2000 })
    for (let n = 1; n <= 30; n++) store.accept(trace(n, 2))
    expect(store.byteCount).toBeLessThanOrEqual(2000)
    expect(store.byteCount).toBeGreaterThan(1000)
    expect(store.getTrace(trace(30)[0]!.traceId)).toHaveLength(2)
    expect(store.getTrace(trace(1)[0]!.traceId)).toBeUndefined()
    const kept = store.traceCount
    expect(store.spanCount).toBe(kept * 2)
  })

  test('a file of another schema version is refused, not rewritten', () => {
    const path = join(dir, 'other.db')
    const db = open(path)
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '99')")
    db.close()
    expect(() => new SqliteTraceStore(open(path), { maxSpans: 10 })).toThrow('schema version 99')
  })

  test('a version 1 file (no span_key column) is migrated in place: its traces stay, late halves still merge', () => {
    const path = join(dir, 'v1.db')
    const db = open(path)
    // The version 1 layout as the previous release wrote it, with one two-span trace.
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE traces (trace_key TEXT PRIMARY KEY, seq INTEGER NOT NULL, arrived_ms INTEGER NOT NULL, ts_us INTEGER, span_count INTEGER NOT NULL, bytes INTEGER NOT NULL);
      CREATE TABLE spans (trace_key TEXT NOT NULL, service TEXT, remote_service TEXT, name TEXT, duration INTEGER, json TEXT NOT NULL);
      CREATE TABLE span_terms (span_rowid INTEGER NOT NULL, trace_key TEXT NOT NULL, key TEXT NOT NULL, value TEXT);
      INSERT INTO meta VALUES ('schema_version', '1')`)
    const [root, child] = [{ ...trace(7)[0]!, timestamp: 2_000_000 }, { ...trace(7, 2)[1]!, parentId: trace(7)[0]!.id, timestamp: 1_500_000 }]
    const json = [JSON.stringify(root), JSON.stringify(child)]
    db.prepare('INSERT INTO traces VALUES (?, 1, 0, 2000000, 2, ?)').run(root.traceId, json[0]!.length + json[1]!.length)
    for (const text of json) db.prepare("INSERT INTO spans VALUES (?, 'svc', NULL, 'op', 5, ?)").run(root.traceId, text)
    db.close()

    const store = new SqliteTraceStore(open(path), { maxSpans: 100 })
    expect(store.getTrace(root.traceId)).toEqual([root, child])
    store.accept([{ traceId: root.traceId, id: child.id, tags: { late: 'tag' } }])
    const merged = store.getTrace(root.traceId)!
    expect(merged).toHaveLength(2)
    expect(merged[1]!.tags).toEqual({ late: 'tag' })
    expect(store.spanCount).toBe(2)
    // The trace keeps its root's timestamp: a search in a window around it finds it.
    expect(store.findTraces({ annotationQuery: new Map(), endTsMs: 2_001, lookbackMs: 2, limit: 10 })).toHaveLength(1)
    store.close()
    const reopened = open(path)
    expect(reopened.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()!.value).toBe('2')
    reopened.close()
  })

  test('ingest finds a span\'s stored half through the span_key index instead of reading the whole trace', () => {
    const db = open(':memory:')
    const store = new SqliteTraceStore(db, { maxSpans: 10_000 })
    store.accept(trace(9, 2000))
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT rowid, json FROM spans WHERE trace_key = ? AND span_key = ? ORDER BY rowid')
      .all(trace(9)[0]!.traceId, trace(9)[0]!.id)
      .map((r) => String(r.detail))
    expect(plan.join('\n')).toMatch(/SEARCH spans USING INDEX spans_span_key \(trace_key=\? AND span_key=\?\)/)
    for (const sql of ['SELECT ts FROM spans WHERE trace_key = ? AND is_root = 1 AND ts IS NOT NULL ORDER BY rowid LIMIT 1', 'SELECT MIN(ts) AS ts FROM spans WHERE trace_key = ?'])
      expect(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('t').map((r) => String(r.detail)).join('\n')).toMatch(/SEARCH spans USING (COVERING )?INDEX (spans_root|spans_ts)/)
    store.accept([{ traceId: trace(9)[0]!.traceId, id: trace(9, 2000)[1999]!.id, tags: { late: 'tag' } }])
    expect(store.getTrace(trace(9)[0]!.traceId)!.at(-1)!.tags).toEqual({ late: 'tag' })
    expect(store.spanCount).toBe(2000)
  })

  test('searches walk the time index and probe each trace by its key, never scanning spans', () => {
    const db = open(':memory:')
    new SqliteTraceStore(db, { maxSpans: 10 })
    for (const query of ['', 'serviceName=a&spanName=b&remoteServiceName=c&minDuration=5&annotationQuery=k%3Dv%20and%20e', 'spanName=b&minDuration=5&maxDuration=9']) {
      const parsed = parseTraceQuery(new URLSearchParams(query), 1e12)
      if (!parsed.ok) throw new Error(parsed.reason)
      const { sql, params } = candidateSql(parsed.query)
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, 10, 0).map((r) => String(r.detail))
      expect(plan.filter((line) => /^SCAN /.test(line))).toEqual([])
      // Newest traces first by the time index, each probed by its key: the search can stop at the limit.
      expect(plan[0]).toMatch(/^SEARCH t USING INDEX traces_ts/)
      for (const probe of plan.filter((line) => /^SEARCH [sm] /.test(line))) expect(probe).toMatch(/USING (COVERING )?INDEX (spans_trace|terms_trace) \(trace_key=/)
    }
  })
})
